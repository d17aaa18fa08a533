import { createHash } from 'node:crypto';
import type { Resource } from 'fhir/r4';
import type { InboundMapping } from './definitions';
import { fail } from '../receiver/outcome';

/**
 * What an incoming resource asks of CHT, decided without any I/O: which
 * mapping takes it, the values for each CHT field, and the key that makes a
 * re-delivery of the same resource version a no-op.
 */
export type Plan =
  | { kind: 'ignore'; reason: string }
  | { kind: 'write'; mapping: InboundMapping; values: Record<string, string | number | boolean>; key: string; patientRef?: unknown; parentRef?: unknown };

type Primitive = string | number | boolean;

function one(results: unknown[], what: string, required: boolean): Primitive | undefined {
  if (results.length > 1) throw fail(422, 'multiple-matches', `${what} gives ${results.length} values where one is expected`);
  const v = results[0];
  if (v === undefined || v === null || v === '') {
    if (required) throw fail(422, 'required', `${what} gives no value, and it is required`);
    return undefined;
  }
  if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') throw fail(422, 'invalid', `${what} gives a ${typeof v}, not a single value`);
  return v;
}

function evaluate(fn: (r: unknown) => unknown[], resource: Resource, what: string): unknown[] {
  try {
    return fn(resource);
  } catch (e) {
    throw fail(422, 'processing', `${what} cannot be evaluated on this resource: ${String((e as Error).message).split('\n')[0]}`);
  }
}

/** Resource identity and version: the version id when the sender keeps one, else a hash of the content. */
export function idempotencyKey(resource: Resource): string {
  const base = `${resource.resourceType}/${resource.id ?? ''}`;
  if (resource.meta?.versionId) return `${base}/_history/${resource.meta.versionId}`;
  const { meta: _meta, ...content } = resource;
  return `${base}#${createHash('sha256').update(JSON.stringify(content)).digest('hex').slice(0, 32)}`;
}

export function plan(mappings: InboundMapping[], resource: Resource, fromChtSystem: string): Plan {
  const ids = (resource as { identifier?: Array<{ system?: string }> }).identifier;
  if (Array.isArray(ids) && ids.some((i) => i && i.system === fromChtSystem)) {
    return { kind: 'ignore', reason: `${resource.resourceType}/${resource.id ?? ''} came from CHT; it is not written back` };
  }
  const candidates = mappings.filter((m) => m.def.resource === resource.resourceType);
  if (!candidates.length) throw fail(422, 'not-supported', `No inbound mapping takes ${resource.resourceType} (see app_settings/fhir/inbound/)`);
  const mapping = candidates.find((m) => !m.where || evaluate(m.where, resource, `${m.def.name}: where`)[0] === true);
  if (!mapping) return { kind: 'ignore', reason: `${resource.resourceType}/${resource.id ?? ''} matches no inbound mapping's 'where'; nothing to do in CHT` };

  const values: Record<string, Primitive> = {};
  for (const [field, rule] of Object.entries(mapping.fields)) {
    const v = one(evaluate(rule.compiled, resource, `${mapping.def.name}: ${field}`), `${mapping.def.name}: field '${field}' (${mapping.def.fields[field].path})`, rule.required);
    if (v !== undefined) values[field] = v;
  }
  const ref = (fn: InboundMapping['patient'], what: string) => {
    if (!fn) return undefined;
    const r = evaluate(fn, resource, `${mapping.def.name}: ${what}`);
    if (r.length !== 1) throw fail(422, r.length ? 'multiple-matches' : 'required', `${mapping.def.name}: ${what} (${mapping.def[what as 'patient' | 'parent']}) gives ${r.length} references where one is required`);
    return r[0];
  };
  const key = mapping.def.write === 'person' ? `${resource.resourceType}/${resource.id ?? ''}` : idempotencyKey(resource);
  return { kind: 'write', mapping, values, key, patientRef: ref(mapping.patient, 'patient'), parentRef: ref(mapping.parent, 'parent') };
}
