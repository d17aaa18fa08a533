import type { Condition } from 'fhir/r4';
import type { ConditionRule } from './model';
import type { ReportContext } from './observations';
import { at, choices, own } from './values';

const CLINICAL = 'http://terminology.hl7.org/CodeSystem/condition-clinical';
const VERIFICATION = 'http://terminology.hl7.org/CodeSystem/condition-ver-status';
const CATEGORY = 'http://terminology.hl7.org/CodeSystem/condition-category';

/** One Condition per selected answer that the rule says means a diagnosis or danger sign. */
export function conditionsFor(ctx: ReportContext, rule: ConditionRule): Condition[] {
  const out: Condition[] = [];
  for (const answer of choices(at(ctx.fields, rule.field))) {
    const concept = own(rule.answers, answer) ?? own(rule.answers, answer.toLowerCase());
    if (!concept) continue;
    const c: Condition = {
      resourceType: 'Condition',
      id: ctx.idFor('Condition', rule.field + '=' + answer),
      clinicalStatus: { coding: [{ system: CLINICAL, code: 'active' }] },
      verificationStatus: { coding: [{ system: VERIFICATION, code: rule.verification }] },
      category: [{ coding: [{ system: CATEGORY, code: rule.category }] }],
      code: concept,
      subject: ctx.subject as Condition['subject'],
      encounter: ctx.encounter,
      recordedDate: ctx.effective,
    };
    if (ctx.performer) c.recorder = ctx.performer[0];
    out.push(c);
  }
  return out;
}
