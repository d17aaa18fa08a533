import fs from 'node:fs';
import path from 'node:path';
import type { InboundDefinition } from './model';
import { compileFhirPath, FhirPathError, type Compiled } from './fhirpath';
import { DefinitionError, readJson } from '../definitions/load';
import { inboundSchema as schema } from '../definitions/schema';

/** An inbound definition with every FHIRPath compiled once. */
export interface InboundMapping {
  def: InboundDefinition;
  where?: Compiled;
  patient?: Compiled;
  parent?: Compiled;
  fields: Record<string, { compiled: Compiled; required: boolean }>;
}

/**
 * Fields the receiver fills itself on every record: the patient, the FHIR
 * resource it came from, its version and its status. CHT's records service
 * keeps only declared fields, so the JSON form must declare each of them.
 */
export const SET_BY_RECEIVER = ['patient_uuid', 'fhir_source', 'fhir_version', 'fhir_status'];

type JsonForms = Record<string, { fields?: Record<string, { required?: boolean }> }>;

export function compileInbound(root: string): InboundMapping[] {
  const dir = path.join(root, 'app_settings/fhir/inbound');
  if (!fs.existsSync(dir)) return [];
  const problems: string[] = [];
  const formsFile = path.join(root, 'app_settings/forms.json');
  const jsonForms: JsonForms = fs.existsSync(formsFile) ? (readJson<JsonForms>(formsFile, root, { type: 'object' }, problems) ?? {}) : {};
  const out: InboundMapping[] = [];
  for (const f of fs.readdirSync(dir).filter((n) => n.endsWith('.json')).sort()) {
    const file = path.join(dir, f);
    const rel = path.relative(root, file);
    const raw = readJson<Omit<InboundDefinition, 'name' | 'fields'> & { fields: Record<string, string | { path: string; required?: boolean }> }>(file, root, schema, problems);
    if (!raw) continue;
    const def: InboundDefinition = { ...raw, name: path.basename(f, '.json'), fields: {} };
    for (const [k, v] of Object.entries(raw.fields)) def.fields[k] = typeof v === 'string' ? { path: v } : v;
    const compileAt = (expr: string | undefined, where: string): Compiled | undefined => {
      if (expr === undefined) return undefined;
      try {
        return compileFhirPath(expr);
      } catch (e) {
        problems.push(`${rel}: ${where}: ${e instanceof FhirPathError ? e.message : String(e)}`);
        return undefined;
      }
    };
    const mapping: InboundMapping = { def, where: compileAt(def.where, '/where'), patient: compileAt(def.patient, '/patient'), parent: compileAt(def.parent, '/parent'), fields: {} };
    for (const [k, rule] of Object.entries(def.fields)) {
      const compiled = compileAt(rule.path, `/fields/${k}`);
      if (compiled) mapping.fields[k] = { compiled, required: rule.required === true };
    }
    if (def.write === 'report') {
      const code = (def.form ?? '').toUpperCase();
      const form = jsonForms[code];
      if (!def.form) problems.push(`${rel}: /form: a report needs the JSON form code it is written with`);
      else if (!form) problems.push(`${rel}: /form: '${def.form}' is not a JSON form in app_settings/forms.json (CHT's records API refuses it)`);
      else {
        for (const k of Object.keys(def.fields)) if (!form.fields?.[k]) problems.push(`${rel}: /fields/${k}: not a field of JSON form ${code} (CHT would drop it)`);
        for (const k of SET_BY_RECEIVER) if (!form.fields?.[k]) problems.push(`${rel}: /form: JSON form ${code} lacks the field '${k}' the receiver writes (CHT would drop it, and resends would duplicate)`);
        for (const [k, spec] of Object.entries(form.fields ?? {})) if (spec.required && !def.fields[k] && !SET_BY_RECEIVER.includes(k)) problems.push(`${rel}: /fields: JSON form ${code} requires '${k}'`);
      }
      if (!def.patient) problems.push(`${rel}: /patient: a report needs the FHIRPath of its patient reference`);
    }
    if (def.write === 'person' && !def.parent) problems.push(`${rel}: /parent: a person needs the FHIRPath of the place reference it belongs to`);
    out.push(mapping);
  }
  if (problems.length) throw new DefinitionError(problems);
  return out;
}
