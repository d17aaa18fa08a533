import type { CodeableConcept, Observation, Reference } from 'fhir/r4';
import type { ObservationRule } from './model';
import { type Doc, at, choices, dateTime, decimal, integer, own, text } from './values';
import { MappingError } from './errors';

/** What every Observation of one report shares. */
export interface ReportContext {
  form: string;
  docId: string;
  fields: Doc;
  /** Absent on the phone, where the report's time is not known yet. */
  effective?: string;
  subject?: Reference;
  encounter?: Reference;
  performer?: Reference[];
  /** Id for the n-th resource made from a field. */
  idFor(kind: 'Observation' | 'Condition' | 'Task', part: string): string;
}

const CATEGORY_SYSTEM = 'http://terminology.hl7.org/CodeSystem/observation-category';
const UCUM = 'http://unitsofmeasure.org';
const DEFAULT_YES = ['yes', 'true', '1'];
const DEFAULT_NO = ['no', 'false', '0'];

type Value = Pick<Observation, 'valueQuantity' | 'valueInteger' | 'valueBoolean' | 'valueString' | 'valueDateTime' | 'valueCodeableConcept'>;

/** The value[x] of one answer, or undefined when the answer cannot be read as the rule's type. */
function valueOf(rule: ObservationRule, raw: unknown): Value | undefined {
  switch (rule.value) {
    case 'quantity': {
      const n = decimal(raw);
      if (n === undefined) return undefined;
      const q: Value['valueQuantity'] = { value: n };
      if (rule.unit) Object.assign(q, { unit: rule.unit.display ?? rule.unit.code, system: UCUM, code: rule.unit.code });
      return { valueQuantity: q };
    }
    case 'integer': {
      const n = integer(raw);
      return n === undefined ? undefined : { valueInteger: n };
    }
    case 'boolean': {
      const t = (text(raw) ?? '').toLowerCase();
      if ((rule.yes ?? DEFAULT_YES).indexOf(t) >= 0) return { valueBoolean: true };
      if (DEFAULT_NO.indexOf(t) >= 0 || (rule.yes && t)) return { valueBoolean: false };
      return undefined;
    }
    case 'dateTime': {
      const v = dateTime(raw);
      return v === undefined ? undefined : { valueDateTime: v };
    }
    case 'string': {
      const v = text(raw);
      return v === undefined ? undefined : { valueString: v };
    }
    case 'coded': {
      const concept = own(rule.answers, String(raw));
      return concept ? { valueCodeableConcept: concept } : undefined;
    }
  }
}

function observation(ctx: ReportContext, rule: ObservationRule, part: string, value: Value): Observation {
  const obs: Observation = {
    resourceType: 'Observation',
    id: ctx.idFor('Observation', part),
    status: 'final',
    code: rule.code,
  };
  if (rule.category) obs.category = [{ coding: [{ system: CATEGORY_SYSTEM, code: rule.category }] } as CodeableConcept];
  if (ctx.subject) obs.subject = ctx.subject;
  if (ctx.encounter) obs.encounter = ctx.encounter;
  if (ctx.effective) obs.effectiveDateTime = ctx.effective;
  if (ctx.performer) obs.performer = ctx.performer;
  return Object.assign(obs, value);
}

/**
 * The Observations one rule makes from a report: none when the field is
 * empty or unreadable (the QuestionnaireResponse still carries the raw
 * answer), one per selected answer for multi-selects.
 */
export function observationsFor(ctx: ReportContext, rule: ObservationRule): Observation[] {
  const raw = at(ctx.fields, rule.field);
  const missing = text(raw) === undefined;
  if (missing) {
    if (rule.required) throw new MappingError(`${ctx.form} ${ctx.docId}: required field '${rule.field}' is missing`);
    return [];
  }
  if (rule.value === 'coded') {
    const out: Observation[] = [];
    for (const answer of choices(raw)) {
      const v = valueOf(rule, answer);
      if (v) out.push(observation(ctx, rule, rule.field + '=' + answer, v));
    }
    if (!out.length && rule.required) throw new MappingError(`${ctx.form} ${ctx.docId}: required field '${rule.field}' has no mapped answer in '${text(raw)}'`);
    return out;
  }
  const v = valueOf(rule, raw);
  if (!v) {
    if (rule.required) throw new MappingError(`${ctx.form} ${ctx.docId}: required field '${rule.field}' is not a valid ${rule.value}: '${String(text(raw)).slice(0, 40)}'`);
    return [];
  }
  return [observation(ctx, rule, rule.field, v)];
}
