import type { ConditionRule, EpisodeRule } from '../../../core/model';
import { defaultEpisode } from '../../../core/episodes';
import type { FormDefinition } from '../files';
import { coded } from './coded';
import { concept, report, type FormContext } from './context';
import { dateField } from './dates';
import { repeatOf } from './fields';
import { who } from './who';

/** Conditions: diagnoses and problems, scoped to the report, the patient, or one of the form's episodes. */

type ConditionDef = NonNullable<FormDefinition['conditions']>[number];
const ABATED = ['inactive', 'resolved', 'remission'];

export function compileCondition(ctx: FormContext, c: ConditionDef, i: number, episodes: EpisodeRule[]): ConditionRule {
  const where = `/conditions/${i}`;
  const rule: ConditionRule = coded(ctx, c, where);
  // Defaults (conditions.ts) stay out of the model.
  if (c.category && c.category !== 'encounter-diagnosis') rule.category = c.category;
  if (c.verification && c.verification !== 'provisional') rule.verification = c.verification;
  who(ctx, c, rule, where, 'a Condition', { performer: { what: "a Condition's asserter", as: ['Practitioner', 'Patient'], roles: false } });
  if (c.text && c.scope && c.scope !== 'report')
    report(ctx, where + '/scope', `a Condition named by free text cannot be ${c.scope}-scoped: its key would be the words, which change with each report`);
  if (c.clinical_status && c.clinical_status !== 'active') rule.clinical = c.clinical_status;
  for (const k of ['onset', 'abatement'] as const) {
    dateField(ctx, c[k], c.field, `${where}/${k}`);
    if (c[k]) rule[k] = c[k];
  }
  // con-4: an abated Condition is not active.
  if (c.abatement && ABATED.indexOf(c.clinical_status ?? 'active') < 0)
    report(ctx, where + '/abatement', `an abated Condition needs clinical_status ${ABATED.join(', ')} (FHIR con-4)`);
  if (c.scope === 'patient' || c.scope === 'episode') {
    if (c.field && repeatOf(ctx.xform, c.field) && !c.subject)
      report(ctx, where + '/scope', `a ${c.scope}-scoped Condition from a repeat needs a 'subject' per instance`);
    rule.scope = c.scope;
  }
  if (c.episode !== undefined && c.scope !== 'episode')
    report(ctx, where + '/episode', `only an episode-scoped Condition names an episode ('scope': 'episode')`);
  if (c.scope === 'episode') episodeOf(ctx, c, rule, where, episodes);
  return rule;
}

/** The episode an episode-scoped Condition belongs to: the one it names, or the form's only one; kept out when it is the default. */
function episodeOf(ctx: FormContext, c: ConditionDef, rule: ConditionRule, where: string, episodes: EpisodeRule[]): void {
  const type = c.episode === undefined ? undefined : concept(ctx, c.episode, where + '/episode');
  const found = type === undefined ? (episodes.length === 1 ? episodes[0] : undefined) : episodes.find((e) => e.type === type);
  if (found) {
    if (found.type !== defaultEpisode(episodes)) rule.episode = found.type;
  } else
    report(
      ctx,
      where + '/episode',
      episodes.length
        ? `names no episode of this form (episodes: ${episodes.map((e) => e.type).join(', ')})${type === undefined ? ": say which with 'episode'" : ''}`
        : `an episode-scoped Condition needs the form's 'episodes' (the episode it belongs to)`,
    );
}
