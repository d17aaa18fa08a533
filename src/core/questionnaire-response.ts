import type { QuestionnaireResponse, QuestionnaireResponseItem, QuestionnaireResponseItemAnswer } from 'fhir/r4';
import { EPOCH_MS, type Shape } from './model';
import { MappingError } from './mapping-error';
import { type Doc, choices, date, dateTime, decimal, integer, isObject, own, text } from './values';

/**
 * Every answer of the form, typed by the XForm's binds, so nothing the mapping
 * does not name is lost. Groups become nested items; each repeat instance is
 * an item of its own under the repeat's linkId (the Questionnaire says
 * `repeats: true`); select answers are Codings of the choice values.
 */

/** Fields that are not answers: form metadata and the inputs CHT passes in. */
export const NOT_ANSWERS = ['meta', 'inputs'];

type Answer = QuestionnaireResponseItemAnswer;

/** The report in error messages (`<form> <doc _id>`), and the CodeSystem of each choice field (identity.ts `choiceSystem`). */
export interface Where {
  doc: string;
  choices: (linkId: string) => string;
  /** The report's attachment stubs (`_attachments`): where CHT keeps the files its forms capture. */
  files?: Record<string, unknown>;
  /** The form id, for CHT's name of a drawn file (`user-file/<form>/<path>`). */
  form?: string;
}

/** What each bind type code must hold, for the message when it does not. */
const KIND: Record<string, string> = {
  '1': 'one choice (a code without spaces)',
  n: 'a list of choices',
  i: 'an integer',
  d: 'a decimal (with a point: "13.1")',
  D: 'a date (YYYY-MM-DD)',
  T: 'a date-time',
  b: 'true or false',
  E: 'a time in Unix epoch milliseconds',
};

/**
 * A file a field holds, as an Attachment: base64 text or a data: URL (a
 * rapid test reader's photo) with its data; else a file CHT keeps as the
 * report's attachment (an upload: `user-file-<name>`, the field holding the
 * name; a drawing: `user-file/<form>/<path>`, the field left empty), named
 * with its type and size. Outbound push carries attachment stubs, not their
 * bytes, so those have no data here.
 */
function attachment(where: Where, linkId: string, contentType: string, t: string | undefined): Answer[] {
  const url = t && /^data:([^;,]+);base64,(.*)$/s.exec(t);
  if (url) return [{ valueAttachment: { contentType: url[1], data: url[2]!.replace(/\s+/g, '') } }];
  const name = t ? 'user-file-' + t : `user-file/${where.form}/${linkId.replace(/\./g, '/')}`;
  const stub = own(where.files ?? {}, name);
  if (isObject(stub)) {
    const a: QuestionnaireResponseItemAnswer['valueAttachment'] = { contentType: text(stub.content_type) ?? contentType, title: t ?? name };
    if (typeof stub.length === 'number') a.size = stub.length;
    return [{ valueAttachment: a }];
  }
  if (!t) return [];
  const base64 = t.replace(/\s+/g, '');
  // Base64 comes in groups of four; a file name ("photo", "cassette.jpg") does not.
  if (/^[A-Za-z0-9+/]+={0,2}$/.test(base64) && base64.length % 4 === 0) return [{ valueAttachment: { contentType, data: base64 } }];
  return [{ valueAttachment: { contentType, title: t } }];
}

/**
 * The answers of one field, typed as its Questionnaire item says. A value
 * that is not of the item's type ("thirty" in an integer, "13,1" in a
 * decimal) is never sent as another type: the push fails, naming the doc,
 * the field and the value. CHT keeps the push queued and retries it, so the
 * report arrives whole once it is corrected in CHT: nothing is lost, and
 * nothing the receiver stores contradicts the form.
 */
function answers(where: Where, linkId: string, code: unknown, raw: unknown): Answer[] {
  // No code: a string item (the shape leaves strings out), so a number or boolean goes as its text.
  if (typeof raw === 'boolean' && code === 'b') return [{ valueBoolean: raw }];
  if (typeof raw === 'number' && (code === 'i' || code === 'd')) {
    if (code !== 'd' && Number.isInteger(raw) && Math.abs(raw) <= 2147483647) return [{ valueInteger: raw }];
    if (code !== 'i' && isFinite(raw)) return [{ valueDecimal: raw }];
  }
  const t = text(raw);
  if (typeof code === 'string' && code.indexOf('/') > 0) return attachment(where, linkId, code, t);
  if (t === undefined) return [];
  let a: Answer | undefined;
  if (code === 'n') return choices(t).map((c) => ({ valueCoding: { system: where.choices(linkId), code: c } }));
  if (code === '1') a = /\s/.test(t) ? undefined : { valueCoding: { system: where.choices(linkId), code: t } };
  else if (code === 'i') a = integer(t) === undefined ? undefined : { valueInteger: integer(t) };
  else if (code === 'd') a = decimal(t) === undefined ? undefined : { valueDecimal: decimal(t) };
  else if (code === 'D') a = date(t) ? { valueDate: date(t) } : undefined;
  else if (code === 'T') a = dateTime(t) ? { valueDateTime: dateTime(t) } : undefined;
  else if (code === 'b') a = t === 'true' || t === 'false' ? { valueBoolean: t === 'true' } : undefined;
  else if (code === EPOCH_MS) a = /^\d{1,15}$/.test(t) && dateTime(Number(t)) ? { valueDateTime: dateTime(Number(t)) } : undefined;
  else if (typeof code === 'string' && code in KIND) a = undefined;
  else return [{ valueString: t }];
  if (!a)
    throw new MappingError(
      `${where.doc}: field '${linkId}' holds ${JSON.stringify(t.length > 80 ? t.slice(0, 80) + '...' : t)}, which is not ${KIND[code]} as the form's type says; correct the report in CHT (the push is retried until then)`,
    );
  return [a];
}

function items(where: Where, fields: Doc, shape: unknown, prefix: string): QuestionnaireResponseItem[] {
  const out: QuestionnaireResponseItem[] = [];
  for (const key of Object.keys(fields)) {
    if (!prefix && NOT_ANSWERS.indexOf(key) >= 0) continue;
    out.push(...itemsFor(where, prefix + key, fields[key], isObject(shape) ? own(shape, key) : undefined));
  }
  return out;
}

/** A group's item, or none when it holds no answer. */
function group(where: Where, linkId: string, value: Doc, shape: unknown): QuestionnaireResponseItem[] {
  const children = items(where, value, shape, linkId + '.');
  return children.length ? [{ linkId, item: children }] : [];
}

function itemsFor(where: Where, linkId: string, value: unknown, shape: unknown): QuestionnaireResponseItem[] {
  const inner: unknown = Array.isArray(shape) ? (shape as unknown[])[0] : shape;
  if (isObject(value)) return group(where, linkId, value, inner);
  if (Array.isArray(value)) {
    // Repeat instances: one item each, same linkId (R4 lets groups repeat).
    if (value.some(isObject)) return value.flatMap((v) => (isObject(v) ? group(where, linkId, v, inner) : []));
    const list = value.flatMap((v) => answers(where, linkId, inner, v));
    return list.length ? [{ linkId, answer: list }] : [];
  }
  const list = answers(where, linkId, inner, value);
  return list.length ? [{ linkId, answer: list }] : [];
}

export function questionnaireResponse(
  where: Where,
  base: Omit<QuestionnaireResponse, 'resourceType' | 'status' | 'item'>,
  fields: Doc,
  shape: Shape,
): QuestionnaireResponse {
  const qr: QuestionnaireResponse = { resourceType: 'QuestionnaireResponse', ...base, status: 'completed' };
  const list = items(where, fields, shape, '');
  if (list.length) qr.item = list;
  return qr;
}
