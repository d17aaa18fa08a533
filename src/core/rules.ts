import type { CodeableConcept, Reference } from 'fhir/r4';
import type { CodedRule, Deployment, FormModel, RuleBase, RuleList, Shape } from './model';
import { answersAt, type Answer, type Scope } from './fields';
import { holds } from './when';
import { refTo } from './identity';
import { type Doc, choices, dateTime, own, text } from './values';
import { MappingError } from './mapping-error';

/** What every resource made from one report shares. */
export interface ReportContext {
  d: Deployment;
  form: string;
  docId: string;
  /** What the report's resource ids derive from: the form instance id (known on the phone too), else the doc `_id`. */
  key: string;
  /** The form instance id (`meta.instanceID`), when the report has one. */
  instance?: string;
  fields: Doc;
  shape: Shape;
  concept(key: string): CodeableConcept;
  /** Absent on the phone, where the report's time is not known yet. */
  effective?: string;
  subject?: Reference;
  /** CHT `_id` of the subject, when known. */
  subjectId?: string;
  encounter?: Reference;
  performer?: Reference[];
  /** CHT `_id` of the patient's household (else the report's place): `location: household`. */
  household?: string;
  /** CHT `_id` of the place the submitter belongs to: `location: facility`, a referral's default performer. */
  facility?: string;
}

/** One place a rule applies: an answer (one per repeat instance) whose `when` holds, and whom it is about. */
export interface Fact extends Answer {
  subject?: Reference;
  subjectId?: string;
}

export function where(ctx: ReportContext): string {
  return `${ctx.form} ${ctx.docId}`;
}

/** Values of another field, read in the same repeat instance. */
export function read(ctx: ReportContext, path: string, scope: Scope): unknown[] {
  return answersAt(ctx.fields, ctx.shape, path, scope).map((a) => a.value);
}

export function factsFor(ctx: ReportContext, rule: RuleBase, part: string): Fact[] {
  const found: Answer[] = rule.field ? answersAt(ctx.fields, ctx.shape, rule.field) : [{ value: undefined, part, scope: {} }];
  const out: Fact[] = [];
  for (const answer of found) {
    const a = rule.key ? { ...answer, part: `${answer.part}~${rule.key}` } : answer;
    if (rule.when && !holds(rule.when, (p) => read(ctx, p, a.scope))) continue;
    if (!rule.subject) {
      out.push({ ...a, subject: ctx.subject, subjectId: ctx.subjectId });
      continue;
    }
    const id = text(read(ctx, rule.subject, a.scope)[0]);
    if (id) out.push({ ...a, subject: refTo(ctx.d, 'Patient', id), subjectId: id });
    else if (rule.required) throw new MappingError(`${where(ctx)}: subject field '${rule.subject}' of required '${rule.field}' is empty`);
  }
  return out;
}

/**
 * When a fact happened: its `date` field in the fact's repeat instance, else
 * the report's time. A named field that holds no date gives undefined (the
 * fact is not made), never the report's time in its place.
 */
export function dateFor(ctx: ReportContext, field: string | undefined, scope: Scope): string | undefined {
  return field ? dateTime(read(ctx, field, scope)[0]) : ctx.effective;
}

/** A fact of a coded rule: the concept it makes (its key, or '' for an answer's own words) and that concept as FHIR. */
export type CodedFact = Fact & { code: string; concept: CodeableConcept };

/**
 * One entry per concept a coded rule yields: per selected answer it maps, its
 * `code` when it has no field, or the answer's own words (`text`).
 */
export function codedFacts(ctx: ReportContext, rule: CodedRule): CodedFact[] {
  const out: CodedFact[] = [];
  for (const f of factsFor(ctx, rule, 'code=' + rule.code)) {
    if (rule.text) {
      const words = text(f.value);
      if (words) out.push({ ...f, code: '', concept: { text: words } });
      continue;
    }
    if (!rule.field) {
      if (rule.code) out.push({ ...f, code: rule.code, concept: ctx.concept(rule.code) });
      continue;
    }
    for (const answer of choices(f.value)) {
      const keys = own(rule.answers, answer);
      const list = keys === undefined ? [] : Array.isArray(keys) ? keys : [keys];
      for (const code of list) out.push({ ...f, code, concept: ctx.concept(code), part: `${f.part}=${answer}${Array.isArray(keys) ? '/' + code : ''}` });
    }
  }
  if (rule.required && !out.length) throw new MappingError(`${where(ctx)}: required field '${rule.field ?? rule.code}' has no mapped answer`);
  return out;
}

/** A form's rules of one list, each with the list's shared properties (FormModel.defaults) filled in. */
export function rulesOf<K extends RuleList>(form: FormModel, list: K): NonNullable<FormModel[K]> {
  const rules = (form[list] ?? []) as Array<Record<string, unknown>>;
  const shared = form.defaults?.[list];
  if (!shared) return rules as unknown as NonNullable<FormModel[K]>;
  return rules.map((rule) => {
    const out: Record<string, unknown> = { ...shared, ...rule };
    for (const k of Object.keys(out)) if (out[k] === 0) delete out[k];
    return out;
  }) as unknown as NonNullable<FormModel[K]>;
}
