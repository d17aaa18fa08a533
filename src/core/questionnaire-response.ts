import type { QuestionnaireResponse, QuestionnaireResponseItem, QuestionnaireResponseItemAnswer } from 'fhir/r4';
import type { Shape } from './model';
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

function answers(code: unknown, raw: unknown): Answer[] {
  if (typeof raw === 'boolean') return [{ valueBoolean: raw }];
  if (typeof raw === 'number' && code !== '1' && code !== 'n')
    return Number.isInteger(raw) && Math.abs(raw) <= 2147483647 ? [{ valueInteger: raw }] : isFinite(raw) ? [{ valueDecimal: raw }] : [];
  const t = text(raw);
  if (t === undefined) return [];
  let a: Answer | undefined;
  if (code === 'n') return choices(t).map((c) => ({ valueCoding: { code: c } }));
  if (code === '1') a = /\s/.test(t) ? undefined : { valueCoding: { code: t } };
  else if (code === 'i') a = integer(t) === undefined ? undefined : { valueInteger: integer(t) };
  else if (code === 'd') a = decimal(t) === undefined ? undefined : { valueDecimal: decimal(t) };
  else if (code === 'D') a = date(t) ? { valueDate: date(t) } : undefined;
  else if (code === 'T') a = dateTime(t) ? { valueDateTime: dateTime(t) } : undefined;
  else if (code === 'b' && (t === 'true' || t === 'false')) a = { valueBoolean: t === 'true' };
  return [a ?? { valueString: t }];
}

function items(fields: Doc, shape: unknown, prefix: string): QuestionnaireResponseItem[] {
  const out: QuestionnaireResponseItem[] = [];
  for (const key of Object.keys(fields)) {
    if (!prefix && NOT_ANSWERS.indexOf(key) >= 0) continue;
    out.push(...itemsFor(prefix + key, fields[key], isObject(shape) ? own(shape, key) : undefined));
  }
  return out;
}

/** A group's item, or none when it holds no answer. */
function group(linkId: string, value: Doc, shape: unknown): QuestionnaireResponseItem[] {
  const children = items(value, shape, linkId + '.');
  return children.length ? [{ linkId, item: children }] : [];
}

function itemsFor(linkId: string, value: unknown, shape: unknown): QuestionnaireResponseItem[] {
  const inner: unknown = Array.isArray(shape) ? (shape as unknown[])[0] : shape;
  if (isObject(value)) return group(linkId, value, inner);
  if (Array.isArray(value)) {
    // Repeat instances: one item each, same linkId (R4 lets groups repeat).
    if (value.some(isObject)) return value.flatMap((v) => (isObject(v) ? group(linkId, v, inner) : []));
    const list = value.flatMap((v) => answers(inner, v));
    return list.length ? [{ linkId, answer: list }] : [];
  }
  const list = answers(inner, value);
  return list.length ? [{ linkId, answer: list }] : [];
}

export function questionnaireResponse(base: Omit<QuestionnaireResponse, 'resourceType' | 'status' | 'item'>, fields: Doc, shape: Shape): QuestionnaireResponse {
  const qr: QuestionnaireResponse = { resourceType: 'QuestionnaireResponse', ...base, status: 'completed' };
  const list = items(fields, shape, '');
  if (list.length) qr.item = list;
  return qr;
}
