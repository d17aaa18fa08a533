import fs from 'node:fs';
import path from 'node:path';
import { compileMapping, SET_BY_RECEIVER, type InboundDefinition, type InboundMapping } from '../../core/inbound-model';
import { FhirPathError } from '../../core/fhirpath';
import { DefinitionError, readJson } from './load';
import { inboundSchema as schema } from './schema';
import { projectAt, readProjectSettings } from './project';
import { filesIn } from './folder';
import type { InboundDefinitionFile } from './files';

/**
 * app_settings/fhir/inbound/*.json -> the inbound definitions, checked
 * against what CHT will accept: every FHIRPath compiles, a report names a
 * JSON form of the app settings that declares every field written.
 */
export function readInbound(root: string): InboundDefinition[] {
  const project = projectAt(root);
  const dir = path.join(project.fhirDir, 'inbound');
  if (!fs.existsSync(dir)) return [];
  const problems: string[] = [];
  const jsonForms = readProjectSettings(project, problems)?.forms ?? {};
  const out: InboundDefinition[] = [];
  for (const f of filesIn(dir, '.json')) {
    const file = path.join(dir, f);
    const rel = path.relative(project.root, file);
    const raw = readJson<InboundDefinitionFile>(file, project.root, schema, problems);
    if (!raw) continue;
    const def: InboundDefinition = { ...raw, name: path.basename(f, '.json'), fields: {} };
    delete (def as { $schema?: string }).$schema;
    for (const [k, v] of Object.entries(raw.fields)) def.fields[k] = typeof v === 'string' ? { path: v } : v;
    problems.push(...fhirPathProblems(def, rel));
    if (def.write === 'report') {
      const code = (def.form ?? '').toUpperCase();
      const form = jsonForms[code];
      if (!def.form) problems.push(`${rel}: /form: a report needs the JSON form code it is written with`);
      else if (!form) problems.push(`${rel}: /form: '${def.form}' is not a JSON form in the app settings' forms (CHT's records API refuses it)`);
      else {
        for (const k of Object.keys(def.fields))
          if (!form.fields?.[k]) problems.push(`${rel}: /fields/${k}: not a field of JSON form ${code} (CHT would drop it)`);
        for (const k of SET_BY_RECEIVER)
          if (!form.fields?.[k])
            problems.push(`${rel}: /form: JSON form ${code} lacks the field '${k}' the receiver writes (CHT would drop it, and resends would duplicate)`);
        for (const [k, spec] of Object.entries(form.fields ?? {}))
          if (spec.required && !def.fields[k] && !SET_BY_RECEIVER.includes(k)) problems.push(`${rel}: /fields: JSON form ${code} requires '${k}'`);
      }
      if (!def.patient) problems.push(`${rel}: /patient: a report needs the FHIRPath of its patient reference`);
    }
    if (def.write === 'person' && !def.parent) problems.push(`${rel}: /parent: a person needs the FHIRPath of the place reference it belongs to`);
    out.push(def);
  }
  if (problems.length) throw new DefinitionError(problems);
  return out;
}

/** Every FHIRPath that does not compile, each with its JSON path (all of them, not just the first). */
function fhirPathProblems(def: InboundDefinition, rel: string): string[] {
  const single = (d: InboundDefinition): string | undefined => {
    try {
      compileMapping(d);
      return undefined;
    } catch (e) {
      if (e instanceof FhirPathError) return `${rel}: ${e.message}`;
      throw e;
    }
  };
  const parts: InboundDefinition[] = [
    { ...def, fields: {} },
    ...Object.entries(def.fields).map(([k, rule]) => ({ ...def, where: undefined, patient: undefined, parent: undefined, fields: { [k]: rule } })),
  ];
  return parts.map(single).filter((p): p is string => p !== undefined);
}

/** The inbound mappings ready to run (what the receiver builds from the model). */
export function compileInbound(root: string): InboundMapping[] {
  return readInbound(root).map(compileMapping);
}
