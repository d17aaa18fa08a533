import type { MedicationRule } from '../../../core/model';
import type { FormDefinition } from '../files';
import { coded } from './coded';
import { isUcum, unitWithDisplay } from './concepts';
import { concept, report, type FormContext } from './context';
import { leaf, sameInstance } from './fields';
import { ANYONE, who } from './who';

/** Medications: what the patient takes or took (statement), or what the health worker gave (administration), with its dosage. */

type MedicationDef = NonNullable<FormDefinition['medications']>[number];
const MED_STATUS = {
  statement: ['active', 'completed', 'not-taken', 'intended', 'stopped', 'on-hold', 'unknown'],
  administration: ['completed', 'not-done', 'in-progress', 'on-hold', 'stopped', 'unknown'],
};

export function compileMedication(ctx: FormContext, m: MedicationDef, i: number): MedicationRule {
  const where = `/medications/${i}`;
  if (!m.kind)
    report(ctx, where + '/kind', `say 'statement' (what the patient takes or took, as told) or 'administration' (what the health worker gave at the visit)`);
  const kind = m.kind ?? 'statement';
  // The model leaves out the core's defaults (kind statement, referral intent order): it is in every phone's settings.
  const rule: MedicationRule = coded(ctx, m, where);
  if (kind !== 'statement') rule.kind = kind;
  if (kind === 'administration') who(ctx, m, rule, where, 'a MedicationAdministration', { performer: ANYONE('a MedicationAdministration') });
  else who(ctx, m, rule, where, 'a MedicationStatement (what the patient told)', {});
  if (m.status) {
    if (MED_STATUS[kind].indexOf(m.status) < 0) report(ctx, where + '/status', `'${m.status}' is not a status of a ${kind} (${MED_STATUS[kind].join(', ')})`);
    rule.status = m.status;
  }
  if (m.dose || m.unit || m.route) dosage(ctx, m, rule, kind, where);
  return rule;
}

/** Dose, unit and route: said of what was given, the amount always with them (FHIR mad-1). */
function dosage(ctx: FormContext, m: MedicationDef, rule: MedicationRule, kind: NonNullable<MedicationRule['kind']>, where: string): void {
  if (kind !== 'administration') report(ctx, where, `dose, unit and route are said of what was given: 'kind': 'administration'`);
  if (m.dose) {
    const f = leaf(ctx, m.dose, where + '/dose');
    if (f && f.type !== 'int' && f.type !== 'decimal') report(ctx, where + '/dose', `'${m.dose}' is a ${f.type} field, not a number`);
    sameInstance(ctx, m.dose, m.field, where + '/dose');
    rule.dose = m.dose;
  }
  if (m.unit) {
    if (!isUcum(m.unit)) report(ctx, where + '/unit', `'${m.unit}' is not a valid UCUM unit`);
    rule.unit = unitWithDisplay(ctx.terms, m.unit);
  }
  if ((m.route || m.unit) && !m.dose)
    report(ctx, where + '/dose', `a dosage states its amount (FHIR mad-1): give 'dose', the field with the amount, with 'unit' and 'route'`);
  if (m.route) rule.route = concept(ctx, m.route, where + '/route');
}
