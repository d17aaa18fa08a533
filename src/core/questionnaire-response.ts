import type { QuestionnaireResponse, QuestionnaireResponseItem, QuestionnaireResponseItemAnswer } from 'fhir/r4';
import type { FieldType } from './model';
import { type Doc, date, dateTime, decimal, integer, isObject, own, text } from './values';

/**
 * Every answer of the form, typed by the XForm's binds, so nothing the mapping
 * does not name is lost. Groups become nested items, repeats repeated items.
 */

/** Fields that are not answers: form metadata and the inputs CHT passes in. */
export const NOT_ANSWERS = ['meta', 'inputs'];

function answer(type: FieldType | undefined, raw: unknown): QuestionnaireResponseItemAnswer | undefined {
  if (typeof raw === 'boolean') return { valueBoolean: raw };
  if (typeof raw === 'number') return Number.isInteger(raw) && Math.abs(raw) <= 2147483647 ? { valueInteger: raw } : isFinite(raw) ? { valueDecimal: raw } : undefined;
  const t = text(raw);
  if (t === undefined) return undefined;
  if (type === 'int') {
    const n = integer(t);
    if (n !== undefined) return { valueInteger: n };
  } else if (type === 'decimal') {
    const n = decimal(t);
    if (n !== undefined) return { valueDecimal: n };
  } else if (type === 'date') {
    const v = date(t);
    if (v) return { valueDate: v };
  } else if (type === 'dateTime') {
    const v = dateTime(t);
    if (v) return { valueDateTime: v };
  }
  return { valueString: t };
}

function items(fields: Doc, types: Record<string, FieldType>, prefix: string): QuestionnaireResponseItem[] {
  const out: QuestionnaireResponseItem[] = [];
  for (const key of Object.keys(fields)) {
    if (!prefix && NOT_ANSWERS.indexOf(key) >= 0) continue;
    const item = itemFor(prefix + key, fields[key], types);
    if (item) out.push(item);
  }
  return out;
}

/**
 * One item per field. R4's qrs-2 wants sibling linkIds distinct, so a repeat
 * becomes one group whose instances are numbered (`children.1`, `children.2`).
 */
function itemFor(linkId: string, value: unknown, types: Record<string, FieldType>): QuestionnaireResponseItem | undefined {
  if (isObject(value)) {
    const children = items(value, types, linkId + '.');
    return children.length ? { linkId, item: children } : undefined;
  }
  if (Array.isArray(value)) {
    const instances: QuestionnaireResponseItem[] = [];
    const answers: QuestionnaireResponseItemAnswer[] = [];
    value.forEach((v, i) => {
      if (isObject(v)) {
        const children = items(v, types, linkId + '.');
        if (children.length) instances.push({ linkId: linkId + '.' + (i + 1), item: children });
      } else {
        const a = answer(own(types, linkId), v);
        if (a) answers.push(a);
      }
    });
    if (instances.length) return { linkId, item: instances };
    return answers.length ? { linkId, answer: answers } : undefined;
  }
  const a = answer(own(types, linkId), value);
  return a ? { linkId, answer: [a] } : undefined;
}

export function questionnaireResponse(
  base: Omit<QuestionnaireResponse, 'resourceType' | 'status' | 'item'>,
  fields: Doc,
  types: Record<string, FieldType>,
): QuestionnaireResponse {
  const qr: QuestionnaireResponse = { resourceType: 'QuestionnaireResponse', ...base, status: 'completed' };
  const list = items(fields, types, '');
  if (list.length) qr.item = list;
  return qr;
}
