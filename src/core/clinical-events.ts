import type { Immunization, Procedure } from 'fhir/r4';
import type { CodedRule } from './model';
import { resourceId } from './identity';
import { MappingError } from './errors';
import { type Fact, type ReportContext, codedFacts, dateFor, where } from './rules';

/**
 * Things done to the patient that a report records: vaccines given
 * (Immunization) and procedures (a caesarean section). One resource per
 * concept an answer maps to; the date is the rule's `date` field, else the
 * report's time. Both need a patient and a time, or nothing is made (an
 * error for a required rule).
 */
function events<T>(
  ctx: ReportContext,
  rule: CodedRule,
  kind: 'Immunization' | 'Procedure',
  make: (f: Fact & { code: string }, id: string, when: string) => T,
): T[] {
  const out: T[] = [];
  for (const f of codedFacts(ctx, rule)) {
    const when = dateFor(ctx, rule.date, f.scope);
    if (f.subject && when) out.push(make(f, resourceId(ctx.d, kind, ctx.key, f.part), when));
    else if (rule.required)
      throw new MappingError(`${where(ctx)}: required '${rule.field ?? rule.code}' has no ${f.subject ? `date in '${rule.date}'` : 'patient'}`);
  }
  return out;
}

export function immunizationsFor(ctx: ReportContext, rule: CodedRule): Immunization[] {
  return events(ctx, rule, 'Immunization', (f, id, when) => {
    const imm: Immunization = {
      resourceType: 'Immunization',
      id,
      status: 'completed',
      vaccineCode: ctx.concept(f.code),
      patient: f.subject!,
      occurrenceDateTime: when,
    };
    if (ctx.encounter) imm.encounter = ctx.encounter;
    if (ctx.effective) imm.recorded = ctx.effective;
    return imm;
  });
}

export function proceduresFor(ctx: ReportContext, rule: CodedRule): Procedure[] {
  return events(ctx, rule, 'Procedure', (f, id, when) => {
    const p: Procedure = { resourceType: 'Procedure', id, status: 'completed', code: ctx.concept(f.code), subject: f.subject!, performedDateTime: when };
    if (ctx.encounter) p.encounter = ctx.encounter;
    if (ctx.performer) p.recorder = ctx.performer[0];
    return p;
  });
}
