import fs from 'node:fs';
import path from 'node:path';
import Ajv, { type ErrorObject } from 'ajv';

/**
 * Reading definition files with errors an admin can act on:
 * `app_settings/fhir/forms/anc.json: /observations/2/unit: must be string`.
 */
export class DefinitionError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid mapping definitions:\n  ${problems.join('\n  ')}`);
    this.name = 'DefinitionError';
  }
}

const ajv = new Ajv({ allErrors: true, strict: false });

function describe(e: ErrorObject): string {
  const where = e.instancePath || '/';
  if (e.keyword === 'additionalProperties') return `${where}: unknown property '${(e.params as { additionalProperty: string }).additionalProperty}'`;
  if (e.keyword === 'enum')
    return `${where}: must be one of ${(e.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ')}`;
  return `${where}: ${e.message}`;
}

/** Parses and schema-checks one JSON file; problems are appended, never thrown one by one. */
export function readJson<T>(file: string, root: string, schema: object, problems: string[]): T | undefined {
  const rel = path.relative(root, file);
  let data: unknown;
  try {
    data = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    problems.push(`${rel}: ${(e as Error).message}`);
    return undefined;
  }
  const validate = ajv.compile(schema);
  if (!validate(data)) {
    // oneOf reports every branch; keep the most specific messages.
    const errs = (validate.errors ?? []).filter((e) => e.keyword !== 'oneOf' && e.keyword !== 'anyOf');
    const seen = new Set<string>();
    for (const e of errs.length ? errs : (validate.errors ?? [])) {
      const msg = `${rel}: ${describe(e)}`;
      if (seen.has(msg)) continue;
      problems.push(msg);
      seen.add(msg);
    }
    return undefined;
  }
  return data as T;
}
