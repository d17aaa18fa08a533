import type { MedicationAdministration, MedicationStatement } from 'fhir/r4';
import type { MedicationRule } from './model';
import { resourceId } from './identity';
import { MappingError } from './mapping-error';
import { type ReportContext, codedFacts, dateFor, read, where } from './rules';
import { performerElement, performerOf } from './actors';
import { decimal } from './values';
import { quantity } from './observations';

/**
 * Medicines a report records, one resource per concept an answer maps to.
 * A `statement` is what the patient takes or took, as told to the health
 * worker ("taking iron-folate daily": active; "no": not-taken); an
 * `administration` is what the health worker gave at the visit (ORS, a
 * deworming dose), with the dose and route the form gives.
 */
export function medicationsFor(ctx: ReportContext, rule: MedicationRule): Array<MedicationStatement | MedicationAdministration> {
  const out: Array<MedicationStatement | MedicationAdministration> = [];
  for (const f of codedFacts(ctx, rule)) {
    const when = dateFor(ctx, rule.date, f.scope);
    if (!f.subject || !when) {
      if (rule.required)
        throw new MappingError(`${where(ctx)}: required '${rule.field ?? rule.code}' has no ${f.subject ? `date in '${rule.date}'` : 'patient'}`);
      continue;
    }
    const kind = rule.kind === 'administration' ? 'MedicationAdministration' : 'MedicationStatement';
    // What both say: which medicine, for whom, when, in which visit.
    const common = {
      id: resourceId(ctx.d, kind, ctx.key, f.part),
      medicationCodeableConcept: f.concept,
      subject: f.subject,
      effectiveDateTime: when,
      ...(ctx.encounter ? { context: ctx.encounter } : {}),
    };
    if (kind === 'MedicationStatement') {
      const s: MedicationStatement = { resourceType: kind, ...common, status: (rule.status ?? 'active') as MedicationStatement['status'] };
      if (ctx.effective) s.dateAsserted = ctx.effective;
      // Told by the patient, recorded by the health worker.
      if (f.subject.reference?.startsWith('Patient/')) s.informationSource = f.subject;
      out.push(s);
      continue;
    }
    const a: MedicationAdministration = { resourceType: kind, ...common, status: (rule.status ?? 'completed') as MedicationAdministration['status'] };
    const performer = performerOf(ctx, rule.performer, f.scope);
    if (performer) a.performer = [performerElement(performer)];
    const amount = rule.dose === undefined ? undefined : decimal(read(ctx, rule.dose, f.scope)[0]);
    // mad-1: a dosage states a dose, so the route travels with it.
    if (amount !== undefined) {
      a.dosage = { dose: quantity(amount, rule.unit) };
      if (rule.route) a.dosage.route = ctx.concept(rule.route);
    }
    out.push(a);
  }
  return out;
}
