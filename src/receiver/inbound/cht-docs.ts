import type { Primitive } from './plan';

/**
 * The CHT docs an inbound resource becomes, built without I/O. A record is
 * built the way CHT's records service builds one from JSON
 * (api/src/services/records.js): only the fields the JSON form declares are
 * kept, keys lower-cased, `date` fields as epoch ms, 1/0 as booleans for
 * `boolean` fields, and a missing required field is an `errors` entry.
 */
export type JsonForm = { fields?: Record<string, { type?: string; required?: boolean }> };
export type ChtDoc = Record<string, unknown> & { _id: string; _rev?: string };

export function recordDoc(id: string, code: string, form: JsonForm, data: Record<string, Primitive>, reportedDate: number, existing?: ChtDoc): ChtDoc {
  const declared = form.fields ?? {};
  const lower = Object.fromEntries(Object.entries(data).map(([k, v]) => [k.toLowerCase(), v]));
  const fields: Record<string, unknown> = {};
  const errors: Array<{ code: string; fields: string[] }> = [];
  for (const [k, spec] of Object.entries(declared)) {
    const v = lower[k];
    if (v === undefined) {
      if (spec.required) errors.push({ code: 'sys.missing_fields', fields: [k] });
      continue;
    }
    fields[k] = spec.type === 'date' && typeof v === 'string' ? Date.parse(v) : spec.type === 'boolean' && (v === 1 || v === 0) ? v === 1 : v;
  }
  // An update keeps what CHT added (sentinel tasks, contact...) and replaces what the resource says.
  return {
    ...(existing ?? { tasks: [] }),
    _id: id,
    ...(existing?._rev ? { _rev: existing._rev } : {}),
    type: 'data_record',
    form: code,
    content_type: 'json',
    fields,
    errors,
    reported_date: reportedDate,
  };
}

/** The body of a person write (POST /api/v1/person; PUT with the doc's `_rev` for an update). */
export function personBody(
  id: string,
  contactType: string,
  parent: string,
  values: Record<string, Primitive>,
  source: Record<string, unknown>,
  existing?: ChtDoc,
): ChtDoc {
  const builtIn = contactType === 'person';
  const typed = builtIn ? { type: 'person' } : { type: 'contact', contact_type: contactType };
  // PUT replaces the whole person: what CHT or its users added (patient_id, role...) is carried over.
  const kept = existing ? Object.fromEntries(Object.entries(existing).filter(([k]) => !k.startsWith('_') || k === '_rev')) : {};
  return { ...kept, ...typed, ...values, ...source, _id: id, parent };
}

/** The person fields a new version no longer has must go: PUT keeps nothing the body leaves out. */
export function withoutDropped(body: ChtDoc, mapped: string[], values: Record<string, Primitive>): ChtDoc {
  for (const k of mapped) if (values[k] === undefined) delete body[k];
  return body;
}
