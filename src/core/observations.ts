import type { Observation, Quantity } from 'fhir/r4';
import { EPOCH_MS, type ObservationRule, type ObservationValue } from './model';
import { leafCode } from './fields';
import { choices, dateTime, decimal, integer, own, text } from './values';
import { resourceId } from './identity';
import { MappingError } from './mapping-error';
import { type Fact, type ReportContext, dateFor, factsFor, where } from './rules';
import { performerOf } from './actors';

const CATEGORY_SYSTEM = 'http://terminology.hl7.org/CodeSystem/observation-category';
const UCUM = 'http://unitsofmeasure.org';
const DEFAULT_YES = ['yes', 'true', '1'];
const DEFAULT_NO = ['no', 'false', '0'];

type Value = Pick<Observation, 'valueQuantity' | 'valueInteger' | 'valueBoolean' | 'valueString' | 'valueDateTime' | 'valueCodeableConcept'>;

/** What a field's type code (model.ts Shape) gives when the rule says no `value`. */
const BY_TYPE: Record<string, ObservationValue> = {
  i: 'integer',
  d: 'quantity',
  D: 'dateTime',
  T: 'dateTime',
  [EPOCH_MS]: 'dateTime',
  b: 'boolean',
  '1': 'coded',
  n: 'coded',
};

/** The rule's value type: its own, else answers -> coded, a unit -> quantity, else the field's type. The build leaves out a `value` that equals this. */
export function defaultValue(rule: Pick<ObservationRule, 'answers' | 'unit'>, typeCode: string | undefined): ObservationValue {
  return rule.answers ? 'coded' : rule.unit ? 'quantity' : (typeCode !== undefined && own(BY_TYPE, typeCode)) || 'string';
}

/** An amount with its UCUM unit ([code, display]) when the rule gives one: an Observation's value, a medicine's dose. */
export function quantity(value: number, unit: [string, string] | undefined): Quantity {
  return unit ? { value, unit: unit[1], system: UCUM, code: unit[0] } : { value };
}

/** The value[x] of one answer, or undefined when the answer cannot be read as the rule's type. */
function valueOf(ctx: ReportContext, rule: ObservationRule, kind: ObservationValue, raw: unknown): Value | undefined {
  switch (kind) {
    case 'quantity': {
      const n = decimal(raw);
      if (n === undefined) return undefined;
      return { valueQuantity: quantity(n, rule.unit) };
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
      const key = own(rule.answers, String(raw));
      return key ? { valueCodeableConcept: ctx.concept(key) } : undefined;
    }
  }
}

function observation(ctx: ReportContext, rule: ObservationRule, fact: Fact, part: string, value: Value, effective: string | undefined): Observation {
  const obs: Observation = {
    resourceType: 'Observation',
    id: resourceId(ctx.d, 'Observation', ctx.key, part),
    status: 'final',
    code: ctx.concept(rule.code),
  };
  if (rule.category) obs.category = [{ coding: [{ system: CATEGORY_SYSTEM, code: rule.category }] }];
  if (fact.subject) obs.subject = fact.subject;
  if (ctx.encounter) obs.encounter = ctx.encounter;
  if (effective) obs.effectiveDateTime = effective;
  const performer = rule.performer ? performerOf(ctx, rule.performer, fact.scope) : undefined;
  if (performer) obs.performer = [performer.actor];
  else if (ctx.performer && !rule.performer) obs.performer = ctx.performer;
  // The test's cassette and sample are resources of their own (point-of-care.ts), with ids from the same part.
  if (rule.device) obs.device = { reference: 'Device/' + resourceId(ctx.d, 'Device', ctx.key, part) };
  if (rule.specimen) obs.specimen = { reference: 'Specimen/' + resourceId(ctx.d, 'Specimen', ctx.key, part) };
  return Object.assign(obs, value);
}

/**
 * The Observations one rule makes from a report: one per repeat instance
 * where the rule applies, none when the field is empty or unreadable (the
 * QuestionnaireResponse still carries the raw answer), one per selected
 * answer for multi-selects.
 */
export function observationsFor(ctx: ReportContext, rule: ObservationRule, made?: (obs: Observation, fact: Fact) => void): Observation[] {
  const out: Observation[] = [];
  const fail = (why: string) => {
    throw new MappingError(`${where(ctx)}: required field '${rule.field}' ${why}`);
  };
  const kind = rule.value ?? defaultValue(rule, leafCode(ctx.shape, rule.field));
  for (const fact of factsFor(ctx, rule, rule.field)) {
    const raw = fact.value;
    if (text(raw) === undefined) {
      if (rule.required) fail('is missing');
      continue;
    }
    const effective = dateFor(ctx, rule.date, fact.scope);
    if (rule.date && !effective) {
      if (rule.required) fail(`has no date in '${rule.date}'`);
      continue;
    }
    if (kind === 'coded') {
      const before = out.length;
      for (const answer of choices(raw)) {
        const v = valueOf(ctx, rule, kind, answer);
        if (!v) continue;
        out.push(observation(ctx, rule, fact, fact.part + '=' + answer, v, effective));
        made?.(out[out.length - 1]!, fact);
      }
      if (out.length === before && rule.required) fail(`has no mapped answer in '${text(raw)}'`);
      continue;
    }
    const v = valueOf(ctx, rule, kind, raw);
    if (!v) {
      if (rule.required) fail(`is not a valid ${kind}: '${String(text(raw)).slice(0, 40)}'`);
      continue;
    }
    out.push(observation(ctx, rule, fact, fact.part, v, effective));
    made?.(out[out.length - 1]!, fact);
  }
  return out;
}
