import type { Appointment } from 'fhir/r4';
import type { AppointmentRule } from './model';
import { resourceId } from './identity';
import { date } from './values';
import { MappingError } from './mapping-error';
import { type ReportContext, factsFor, where } from './rules';

/**
 * A visit the report plans (the next ANC contact, a PNC check): a proposed
 * Appointment for the patient in the requested period of that day. Proposed,
 * not booked: no facility slot is reserved.
 */
export function appointmentsFor(ctx: ReportContext, rule: AppointmentRule): Appointment[] {
  const out: Appointment[] = [];
  for (const f of factsFor(ctx, rule, rule.field)) {
    const day = date(f.value);
    if (!day || !f.subject) {
      if (rule.required) throw new MappingError(`${where(ctx)}: required field '${rule.field}' is not a date or has no patient`);
      continue;
    }
    const a: Appointment = {
      resourceType: 'Appointment',
      id: resourceId(ctx.d, 'Appointment', ctx.key, f.part),
      status: 'proposed',
      serviceType: [ctx.concept(rule.code)],
      requestedPeriod: [{ start: day, end: day }],
      participant: [{ actor: f.subject, status: 'needs-action' }],
    };
    if (ctx.effective) a.created = ctx.effective;
    out.push(a);
  }
  return out;
}
