import type { Primitive } from './plan';

/**
 * The CHT record an inbound resource becomes, built without I/O, exactly as
 * CHT's records service builds one from a JSON record
 * (api/src/services/records.js createRecordByJSON + getDataRecord, and
 * api/src/services/report/validate.js), given `_meta: {form, reported_date}`:
 * - `date` fields become epoch ms and 1/0 become booleans for `boolean`
 *   fields (checked against the key as sent), then keys are lower-cased;
 * - `fields` holds only what the JSON form declares;
 * - errors are `{code, message}`: one `sys.incorrect_type` per declared
 *   integer/string/boolean field holding another type, and one
 *   `sys.missing_fields` naming every missing required field. CHT
 *   translates the message into the record's locale; here it is the English
 *   text of api/resources/translations/messages-en.properties;
 * - `tasks: []`, and `sms_message` holding the `_meta` it was posted with.
 * The doc is written with PUT /medic/<id> rather than POST /api/v2/records,
 * which assigns its own `_id`: a deterministic `_id` makes a resend an update.
 */
export type JsonForm = { fields?: Record<string, { type?: string; required?: boolean; list?: unknown }> };
export type ChtDoc = Record<string, unknown> & { _id: string; _rev?: string };

const TYPE_CHECKS: Record<string, (v: unknown) => boolean> = {
  integer: (v) => typeof v === 'number' && Number.isInteger(v),
  string: (v) => typeof v === 'string',
  boolean: (v) => typeof v === 'boolean',
  complex: (v) => typeof v === 'object',
};

export function recordDoc(id: string, code: string, form: JsonForm, data: Record<string, Primitive>, reportedDate: number, existing?: ChtDoc): ChtDoc {
  const declared = form.fields ?? {};
  const corrected: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(data)) {
    const type = declared[k]?.type;
    corrected[k.toLowerCase()] = type === 'date' ? new Date(v as string | number).valueOf() : type === 'boolean' && (v === 1 || v === 0) ? v === 1 : v;
  }
  const fields: Record<string, unknown> = {};
  const errors: Array<{ code: string; message: string }> = [];
  const missing: string[] = [];
  for (const [k, spec] of Object.entries(declared)) {
    const v = corrected[k];
    if (v !== undefined && v !== null) fields[k] = v;
    if (spec.required && (v === undefined || v === null)) missing.push(k);
    else if (v !== undefined && v !== null && !spec.list && spec.type && TYPE_CHECKS[spec.type] && !TYPE_CHECKS[spec.type]!(v))
      errors.push({ code: 'sys.incorrect_type', message: `Incorrect type of field ${k}, expected ${spec.type}.` });
  }
  if (missing.length) errors.push({ code: 'sys.missing_fields', message: `Missing or invalid fields: ${missing.join(',')}.` });
  // An update keeps what CHT added since (sentinel's tasks, transitions' fields) and replaces what the resource says.
  return {
    ...(existing ?? { tasks: [] }),
    _id: id,
    ...(existing?._rev ? { _rev: existing._rev } : {}),
    type: 'data_record',
    form: code,
    fields,
    errors,
    reported_date: reportedDate,
    sms_message: { form: code, reported_date: reportedDate },
  };
}
