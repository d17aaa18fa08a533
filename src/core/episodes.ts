import type { EpisodeOfCare, Reference } from 'fhir/r4';
import type { EpisodeRule } from './model';
import { resourceId, systems } from './identity';
import { holds } from './when';
import { type ReportContext, read } from './rules';
import { dateTime, text } from './values';
import { withClaims } from './statement';

/**
 * Episodes of care a report opens, belongs to or ends, each an EpisodeOfCare
 * written by every report of it (statement.ts): the opening report owns its
 * start and the closing one its end and status, whatever order they arrive
 * in. A follow-up's episode says `active` without claiming it, so it is
 * valid when it arrives first and re-opens nothing when it arrives late.
 */
export interface Episode {
  /** Concept key of its type. */
  type: string;
  /** `_id` of the report that opened it. */
  key: string;
  ref: Reference;
}

/**
 * The episode an episode-scoped Condition belongs to when its rule does not
 * say: the form's only episode, else the only one the report belongs to or
 * closes (it has a field; a delivery closes the pregnancy and opens the
 * postnatal episode). The build leaves `episode` out when it is this one.
 */
export function defaultEpisode(rules: EpisodeRule[] | undefined): string | undefined {
  if (rules?.length === 1) return rules[0]!.type;
  const joined = (rules ?? []).filter((r) => r.field);
  return joined.length === 1 ? joined[0]!.type : undefined;
}

export function episodesOf(ctx: ReportContext, rules: EpisodeRule[] | undefined): Episode[] {
  const out: Episode[] = [];
  for (const rule of rules ?? []) {
    const key = rule.field ? text(read(ctx, rule.field, {})[0]) : ctx.docId;
    if (key) out.push({ type: rule.type, key, ref: { reference: `EpisodeOfCare/${episodeId(ctx, rule.type, key)}` } });
  }
  return out;
}

export function episodeId(ctx: ReportContext, type: string, key: string): string {
  return resourceId(ctx.d, 'EpisodeOfCare', key, 'episode/' + type);
}

export function episodeResources(ctx: ReportContext, rules: EpisodeRule[] | undefined, episodes: Episode[], organization?: Reference): EpisodeOfCare[] {
  if (!ctx.subject || !ctx.effective) return [];
  const out: EpisodeOfCare[] = [];
  for (const e of episodes) {
    const rule = rules!.find((r) => r.type === e.type)!;
    const opens = !rule.field;
    // A report that may end it (a home visit) ends it only when its `when` holds (a miscarriage reported).
    const closes = rule.closes && (!rule.when || holds(rule.when, (p) => read(ctx, p, {})));
    const ends = typeof rule.end === 'string' ? [rule.end] : (rule.end ?? []);
    const end = closes ? (ends.map((f) => dateTime(read(ctx, f, {})[0])).find((d) => d) ?? ctx.effective) : undefined;
    const episode: EpisodeOfCare = {
      resourceType: 'EpisodeOfCare',
      id: episodeId(ctx, e.type, e.key),
      status: closes ? 'finished' : 'active',
      type: [ctx.concept(e.type)],
      patient: ctx.subject,
    };
    const claims = ['type', 'patient'];
    if (opens || closes) claims.push('status');
    if (opens || end) episode.period = { ...(opens ? { start: ctx.effective } : {}), ...(end ? { end } : {}) };
    if (opens) claims.push('period.start');
    if (opens && organization) {
      episode.managingOrganization = organization;
      claims.push('managingOrganization');
    }
    out.push(withClaims(episode, systems(ctx.d).statement, claims, ctx.effective));
  }
  return out;
}
