import type { CodedRule } from '../../../core/model';
import type { CodedRuleDef, ConceptRef } from '../files';
import { base } from './base';
import { concept, report, type FormContext } from './context';
import { checkAnswer } from './fields';
import { dateField } from './dates';

/**
 * What coded rules share (immunizations, procedures, medications,
 * referrals, conditions): the concept from the field's answers, from
 * `code`, or from the field's own words (`text`), and the date.
 */
export function coded(ctx: FormContext, r: CodedRuleDef, where: string): CodedRule {
  const out: CodedRule = base(ctx, r, where);
  const { fields } = ctx.xform;
  if (r.text) {
    if (!r.field || r.answers || r.code)
      report(ctx, where + '/text', `'text' names the concept by a field's own words: give 'field' and no 'answers' or 'code'`);
    else if (fields[r.field] && fields[r.field]!.type !== 'string')
      report(ctx, where + '/text', `'${r.field}' is a ${fields[r.field]!.type} field: 'text' reads a free-text answer`);
    out.text = true;
  } else if (r.field ? !r.answers || r.code : !r.code || r.answers)
    report(ctx, where, `give 'field' with 'answers' (choice -> concept), or 'code' alone (made when 'when' holds)`);
  if (r.field && r.answers) out.answers = answerCodes(ctx, r.field, r.answers, `${where}/answers`);
  if (r.code) out.code = concept(ctx, r.code, where + '/code');
  if (r.date) {
    dateField(ctx, r.date, r.field, where + '/date');
    out.date = r.date;
  }
  if (r.date_text) {
    if (r.date) report(ctx, where + '/date_text', `give 'date' (a field) or 'date_text', not both`);
    out.dateText = r.date_text;
  }
  return out;
}

/** Answer -> one concept or several: each answer checked as a choice, each concept resolved. */
function answerCodes(ctx: FormContext, field: string, answers: Record<string, ConceptRef | ConceptRef[]>, at: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [answer, refs] of Object.entries(answers)) {
    checkAnswer(ctx, field, answer, `${at}/${answer}`);
    out[answer] = Array.isArray(refs) ? refs.map((c, i) => concept(ctx, c, `${at}/${answer}/${i}`)) : concept(ctx, refs, `${at}/${answer}`);
  }
  return out;
}
