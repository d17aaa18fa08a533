import type { EpisodeRule } from '../../../core/model';
import type { FormDefinition } from '../files';
import { base } from './base';
import { concept, report, type FormContext } from './context';
import { dateField, notDate } from './dates';
import { leaf, repeatOf } from './fields';

/** Episodes (EpisodeOfCare): the report opens or closes one of a type, at the dates its fields give. */

type EpisodeDef = NonNullable<FormDefinition['episodes']>[number];

/** The form's episodes, one per type. */
export function compileEpisodes(ctx: FormContext): EpisodeRule[] {
  const episodes = (ctx.def.episodes ?? []).map((e, i) => compileEpisode(ctx, e, `/episodes/${i}`));
  episodes.forEach((e, i) => {
    if (episodes.findIndex((o) => o.type === e.type) !== i) report(ctx, `/episodes/${i}/type`, `a second episode of type '${e.type}': one per type`);
  });
  return episodes;
}

function compileEpisode(ctx: FormContext, e: EpisodeDef, where: string): EpisodeRule {
  const rule: EpisodeRule = { type: concept(ctx, e.type, where + '/type') };
  if (e.field) {
    const f = leaf(ctx, e.field, where + '/field');
    const repeat = repeatOf(ctx.xform, e.field);
    if (f && repeat) report(ctx, where + '/field', `'${e.field}' is inside repeat '${repeat}': an episode is the report's, name a field outside repeats`);
    notDate(ctx, e.field, f, where + '/field');
    rule.field = e.field;
  }
  if (e.closes) rule.closes = true;
  if (e.when) {
    if (!e.closes) report(ctx, where + '/when', `'when' says when the report closes the episode: it goes with 'closes': true`);
    const w = base(ctx, { when: e.when }, where).when;
    if (w) rule.when = w;
  }
  if (e.end) {
    if (!e.closes) report(ctx, where + '/end', `only an episode the report closes has an end ('closes': true)`);
    const ends = typeof e.end === 'string' ? [e.end] : e.end;
    ends.forEach((f, j) => dateField(ctx, f, undefined, typeof e.end === 'string' ? where + '/end' : `${where}/end/${j}`));
    rule.end = e.end;
  }
  return rule;
}
