import type { ReferralRule } from '../../../core/model';
import type { FormDefinition } from '../files';
import { coded } from './coded';
import { report, type FormContext } from './context';
import { answerConcepts, checkAnswers, sideField } from './fields';
import { ANYONE, who } from './who';

/** Referrals (ServiceRequest): intent, priority fixed or from answers, and reasons from answers or the form's conditions. */

type ReferralDef = NonNullable<FormDefinition['referrals']>[number];

export function compileReferral(ctx: FormContext, r: ReferralDef, i: number): ReferralRule {
  const where = `/referrals/${i}`;
  const rule: ReferralRule = coded(ctx, r, where);
  if (r.intent && r.intent !== 'order') rule.intent = r.intent;
  who(ctx, r, rule, where, 'a ServiceRequest', { performer: ANYONE('a ServiceRequest'), location: true });
  if (r.priority && typeof r.priority !== 'string') {
    sideField(ctx, r.priority.field, r.field, where + '/priority/field');
    checkAnswers(ctx, r.priority.field, Object.keys(r.priority.answers), `${where}/priority/answers`);
  }
  if (r.priority) rule.priority = r.priority;
  if (r.reasons === 'conditions') {
    if (!ctx.def.conditions?.length) report(ctx, where + '/reasons', `'conditions' names the diagnoses this form makes, but it has no 'conditions' rules`);
    rule.reasons = 'conditions';
  } else if (r.reasons)
    rule.reasons = r.reasons.map((x, j) => {
      const at = `${where}/reasons/${j}`;
      sideField(ctx, x.field, r.field, at + '/field');
      return { field: x.field, answers: answerConcepts(ctx, x.field, x.answers, `${at}/answers`) };
    });
  return rule;
}
