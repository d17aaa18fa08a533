import type { Immunization, Procedure } from 'fhir/r4';
import type { CodedRule } from './model';
import { resourceId } from './identity';
import { type ReportContext, codedFacts, dateFor, where } from './rules';
import { MappingError } from './errors';

/**
 * Things done to the patient that a report records: vaccines given
 * (Immunization) and procedures (a caesarean section). One resource per
 * concept an answer maps to; the date is the rule's `date` field, else the
 * report's time. Both need a patient and a time, or nothing is made (an
 * error for a required rule).
 */

export function immunizationsFor(ctx: ReportContext, rule: CodedRule): Immunization[] {
  const out: Immunization[] = [];
  for (const f of codedFacts(ctx, rule)) {
    const when = dateFor(ctx, rule.date, f.scope);
    if (!f.subject || !when) {
      if (rule.required) throw new MappingError(`${where(ctx)}: required '${rule.field ?? rule.code}' has no ${f.subject ? `date in '${rule.date}'` : 'patient'}`);
      continue;
    }
    const imm: Immunization = {
      resourceType: 'Immunization',
      id: resourceId(ctx.d, 'Immunization', ctx.key, f.part),
      status: 'completed',
      vaccineCode: ctx.concept(f.code),
      patient: f.subject,
      occurrenceDateTime: when,
    };
    if (ctx.encounter) imm.encounter = ctx.encounter;
    if (ctx.effective) imm.recorded = ctx.effective;
    out.push(imm);
  }
  return out;
}

export function proceduresFor(ctx: ReportContext, rule: CodedRule): Procedure[] {
  const out: Procedure[] = [];
  for (const f of codedFacts(ctx, rule)) {
    const when = dateFor(ctx, rule.date, f.scope);
    if (!f.subject || !when) {
      if (rule.required) throw new MappingError(`${where(ctx)}: required '${rule.field ?? rule.code}' has no ${f.subject ? `date in '${rule.date}'` : 'patient'}`);
      continue;
    }
    const p: Procedure = {
      resourceType: 'Procedure',
      id: resourceId(ctx.d, 'Procedure', ctx.key, f.part),
      status: 'completed',
      code: ctx.concept(f.code),
      subject: f.subject,
      performedDateTime: when,
    };
    if (ctx.encounter) p.encounter = ctx.encounter;
    if (ctx.performer) p.recorder = ctx.performer[0];
    out.push(p);
  }
  return out;
}
