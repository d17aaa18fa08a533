import type { FormModel } from '../../core/model';
import { withShortFieldRefs } from './field-refs';
import { hoistDefaults } from './hoist';
import type { FormContext } from './form-rules/context';
import { compileAppointment, compileImmunization, compileProcedure } from './form-rules/clinical-events';
import { compileCondition } from './form-rules/conditions';
import { compileEpisodes } from './form-rules/episodes';
import { checkForm, encounter, formShape, newborns } from './form-rules/form';
import { keepAllIdsApart } from './form-rules/ids';
import { compileMedication } from './form-rules/medications';
import { compileObservation } from './form-rules/observations';
import { compileReferral } from './form-rules/referrals';

/**
 * One form's definition checked against its XForm and compiled into the
 * model the core runs on. Every path, answer, subject and condition must
 * resolve in the form as CHT runs it; each problem is reported with the
 * file, the JSON path, what was found and what to do. Each rule kind is
 * compiled in its own module under form-rules/; this keeps the order in
 * which problems are reported and concepts enter the table.
 */
export function compileForm(ctx: FormContext): FormModel {
  const { def, xform } = ctx;
  const observations = (def.observations ?? []).map((o, i) => compileObservation(ctx, o, i));
  const episodes = compileEpisodes(ctx);
  const conditions = (def.conditions ?? []).map((c, i) => compileCondition(ctx, c, i, episodes));
  const appointments = (def.appointments ?? []).map((a, i) => compileAppointment(ctx, a, i));
  checkForm(ctx);
  const model: FormModel = { shape: formShape(ctx), ...encounter(ctx) };
  const immunizations = (def.immunizations ?? []).map((r, i) => compileImmunization(ctx, r, i));
  const procedures = (def.procedures ?? []).map((r, i) => compileProcedure(ctx, r, i));
  const medications = (def.medications ?? []).map((m, i) => compileMedication(ctx, m, i));
  const referrals = (def.referrals ?? []).map((r, i) => compileReferral(ctx, r, i));
  keepAllIdsApart(ctx, { observations, conditions, immunizations, procedures, medications, referrals });
  // Only non-empty lists travel: the model is in every phone's app settings.
  if (observations.length) model.observations = observations;
  if (conditions.length) model.conditions = conditions;
  if (immunizations.length) model.immunizations = immunizations;
  if (procedures.length) model.procedures = procedures;
  if (appointments.length) model.appointments = appointments;
  if (medications.length) model.medications = medications;
  if (referrals.length) model.referrals = referrals;
  if (episodes.length) model.episodes = episodes;
  if (def.newborns) model.newborns = newborns(ctx, def.newborns);
  return hoistDefaults(withShortFieldRefs(model, (p) => xform.fields[p]?.type));
}
