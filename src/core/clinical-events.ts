import type { Immunization, Procedure, Reference } from 'fhir/r4';
import type { CodedRule } from './model';
import { resourceId } from './identity';
import { MappingError } from './mapping-error';
import { type CodedFact, type ReportContext, codedFacts, dateFor, where } from './rules';
import { type Performer, locationOf, performerElement, performerOf } from './actors';

/**
 * Things done to the patient that a report records: vaccines given
 * (Immunization) and procedures (a caesarean section). One resource per
 * concept an answer maps to. When: the rule's `date` field, its `dateText`
 * where the form has no day ("during this pregnancy"), else the report's
 * time. Both need a patient and a time, or nothing is made (an error for a
 * required rule).
 */
interface Event {
  f: CodedFact;
  id: string;
  /** The date-time, or undefined when the rule gives the time as text. */
  when?: string;
  performer?: Performer;
  location?: Reference;
}

function events<T>(ctx: ReportContext, rule: CodedRule, kind: 'Immunization' | 'Procedure', make: (e: Event) => T): T[] {
  const out: T[] = [];
  for (const f of codedFacts(ctx, rule)) {
    const when = rule.dateText ? undefined : dateFor(ctx, rule.date, f.scope);
    if (f.subject && (when || rule.dateText))
      out.push(
        make({
          f,
          id: resourceId(ctx.d, kind, ctx.key, f.part),
          when,
          performer: performerOf(ctx, rule.performer, f.scope),
          location: locationOf(ctx, rule.location, f.scope),
        }),
      );
    else if (rule.required)
      throw new MappingError(`${where(ctx)}: required '${rule.field ?? rule.code}' has no ${f.subject ? `date in '${rule.date}'` : 'patient'}`);
  }
  return out;
}

export function immunizationsFor(ctx: ReportContext, rule: CodedRule): Immunization[] {
  return events(ctx, rule, 'Immunization', ({ f, id, when, performer, location }) => {
    const imm: Immunization = { resourceType: 'Immunization', id, status: 'completed', vaccineCode: f.concept, patient: f.subject! };
    if (when) imm.occurrenceDateTime = when;
    else imm.occurrenceString = rule.dateText;
    if (ctx.encounter) imm.encounter = ctx.encounter;
    if (ctx.effective) imm.recorded = ctx.effective;
    if (location) imm.location = location;
    // Only a performer the rule names: a vaccine she reports is not one the health worker gave.
    if (rule.performer && performer) imm.performer = [performerElement(performer)];
    return imm;
  });
}

export function proceduresFor(ctx: ReportContext, rule: CodedRule): Procedure[] {
  return events(ctx, rule, 'Procedure', ({ f, id, when, performer, location }) => {
    const p: Procedure = { resourceType: 'Procedure', id, status: 'completed', code: f.concept, subject: f.subject! };
    if (when) p.performedDateTime = when;
    else p.performedString = rule.dateText;
    if (ctx.encounter) p.encounter = ctx.encounter;
    if (ctx.performer) p.recorder = ctx.performer[0];
    if (rule.performer && performer) p.performer = [performerElement(performer)];
    if (location) p.location = location;
    return p;
  });
}
