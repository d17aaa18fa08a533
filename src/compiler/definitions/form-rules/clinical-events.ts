import type { AppointmentRule, CodedRule } from '../../../core/model';
import type { CodedRuleDef, FormDefinition } from '../files';
import { base } from './base';
import { coded } from './coded';
import { concept, type FormContext } from './context';
import { notDate } from './dates';
import { ANYONE, who } from './who';

/** Immunizations and procedures (what was done, by whom, where) and proposed appointments (what is to come). */

export function compileImmunization(ctx: FormContext, r: CodedRuleDef, i: number): CodedRule {
  const rule = coded(ctx, r, `/immunizations/${i}`);
  who(ctx, r, rule, `/immunizations/${i}`, 'an Immunization', { performer: ANYONE('an Immunization'), location: true });
  return rule;
}

export function compileProcedure(ctx: FormContext, r: CodedRuleDef, i: number): CodedRule {
  const rule = coded(ctx, r, `/procedures/${i}`);
  who(ctx, r, rule, `/procedures/${i}`, 'a Procedure', { performer: ANYONE('a Procedure'), location: true });
  return rule;
}

export function compileAppointment(ctx: FormContext, a: NonNullable<FormDefinition['appointments']>[number], i: number): AppointmentRule {
  const where = `/appointments/${i}`;
  const rule: AppointmentRule = { ...base(ctx, a, where), field: a.field, code: concept(ctx, a.code, where + '/code') };
  who(ctx, a, rule, where, 'a proposed Appointment', {});
  notDate(ctx, a.field, ctx.xform.fields[a.field], where + '/field');
  return rule;
}
