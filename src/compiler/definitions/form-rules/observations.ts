import { EPOCH_MS } from '../../../core/model';
import type { ObservationRule, ObservationValue } from '../../../core/model';
import { defaultValue } from '../../../core/observations';
import type { FormDefinition } from '../files';
import { base } from './base';
import { isUcum, unitWithDisplay } from './concepts';
import { concept, report, type FormContext } from './context';
import { dateField } from './dates';
import { answerConcepts, sideField, typeCodeOf } from './fields';
import { ANYONE, who } from './who';

/** Observations: one field's answer as a value (quantity, coded, ...), with its device, specimen and date. */

type ObservationDef = NonNullable<FormDefinition['observations']>[number];

export function compileObservation(ctx: FormContext, o: ObservationDef, i: number): ObservationRule {
  const { xform, terms } = ctx;
  const where = `/observations/${i}`;
  const derived = defaultValue(
    { answers: o.answers && {}, unit: o.unit ? [o.unit, o.unit] : undefined },
    ctx.epochs.has(o.field) ? EPOCH_MS : typeCodeOf(xform.fields[o.field]),
  );
  const value: ObservationValue = o.value ?? derived;
  if (value === 'coded' && !o.answers) report(ctx, where, `a coded value needs 'answers' (choice -> concept)`);
  const rule: ObservationRule = { ...base(ctx, o, where), field: o.field, code: concept(ctx, o.code, where + '/code') };
  // Left out when the core derives the same from the field's type (the model is in every phone's settings).
  if (value !== derived) rule.value = value;
  who(ctx, o, rule, where, 'an Observation', { performer: ANYONE('an Observation') });
  if (o.device) rule.device = device(ctx, o.device, o.field, where + '/device');
  if (o.specimen) {
    rule.specimen = { code: concept(ctx, o.specimen.code, where + '/specimen/code') };
    if (o.specimen.date) {
      dateField(ctx, o.specimen.date, o.field, where + '/specimen/date');
      rule.specimen.date = o.specimen.date;
    }
  }
  if (o.date) {
    dateField(ctx, o.date, o.field, where + '/date');
    rule.date = o.date;
  }
  if (o.unit) {
    if (value !== 'quantity') report(ctx, where + '/unit', 'only quantities have units');
    else if (!isUcum(o.unit)) report(ctx, where + '/unit', `'${o.unit}' is not a valid UCUM unit`);
    rule.unit = unitWithDisplay(terms, o.unit);
  }
  const category = o.category ?? (typeof o.code === 'string' ? terms.concepts[o.code]?.category : undefined);
  if (category) rule.category = category;
  if (o.answers) rule.answers = answerConcepts(ctx, o.field, o.answers, `${where}/answers`);
  if (o.yes) rule.yes = o.yes.map((y) => y.toLowerCase());
  return rule;
}

/** The device that made the observation: its kind, and the fields with its lot and expiry. */
function device(ctx: FormContext, d: NonNullable<ObservationDef['device']>, ruleField: string, where: string): NonNullable<ObservationRule['device']> {
  const out: NonNullable<ObservationRule['device']> = { code: concept(ctx, d.code, where + '/code') };
  for (const k of ['lot', 'expiry'] as const) {
    const path = d[k];
    if (!path) continue;
    if (k === 'expiry') dateField(ctx, path, ruleField, `${where}/${k}`);
    else sideField(ctx, path, ruleField, `${where}/${k}`);
    out[k] = path;
  }
  if (d.manufacturer) out.maker = d.manufacturer;
  return out;
}
