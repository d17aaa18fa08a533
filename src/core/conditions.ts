import type { Condition } from 'fhir/r4';
import type { ConditionRule, EpisodeRule } from './model';
import { resourceId, systems } from './identity';
import { type ReportContext, codedFacts, read } from './rules';
import { dateTime } from './values';
import { type Episode, defaultEpisode } from './episodes';
import { slotOf, withClaims } from './statement';
import { performerOf } from './actors';

const CLINICAL = 'http://terminology.hl7.org/CodeSystem/condition-clinical';
const VERIFICATION = 'http://terminology.hl7.org/CodeSystem/condition-ver-status';
const CATEGORY = 'http://terminology.hl7.org/CodeSystem/condition-category';

/**
 * One Condition per answer the rule says means a diagnosis, danger sign or
 * state (any answer, or the rule's `code` when its `when` holds). A
 * patient-scoped rule writes one Condition per patient and concept, an
 * episode-scoped one per episode of care and concept: several reports write
 * it (a registration its onset, a delivery its abatement), each owning what
 * it states, the later in clinical time winning (statement.ts).
 */
export function conditionsFor(ctx: ReportContext, rule: ConditionRule, episodes: Episode[] = [], episodeRules?: EpisodeRule[]): Condition[] {
  const out: Condition[] = [];
  const type = rule.episode ?? defaultEpisode(episodeRules);
  const episode = rule.scope === 'episode' ? episodes.find((e) => e.type === type) : undefined;
  // A report that names no episode (not opened from a task: the field is empty) still says what it saw: its
  // episode-scoped facts become Conditions of the report alone, shared with no other report.
  for (const f of codedFacts(ctx, rule)) {
    // Condition.subject is 1..1: no patient, no Condition.
    if (!f.subject) continue;
    // Keyed on the patient's _id, or on the shortcode when the report names only that.
    const owner = f.subjectId ?? (f.subject.identifier?.value && 'patient_id:' + f.subject.identifier.value);
    const sharedKey = episode ? episode.key : rule.scope === 'patient' ? owner : undefined;
    // In the episode of the report's patient, a fact about someone else (a newborn: `subject`) is that person's own Condition.
    const other = f.subjectId && f.subjectId !== ctx.subjectId ? '/' + f.subjectId : '';
    const id = episode
      ? resourceId(ctx.d, 'Condition', episode.key, `episode/${episode.type}/${f.code}${other}`)
      : rule.scope === 'patient' && owner
        ? resourceId(ctx.d, 'Condition', owner, 'episode/' + f.code)
        : resourceId(ctx.d, 'Condition', ctx.key, f.part);
    const c: Condition = {
      resourceType: 'Condition',
      id,
      clinicalStatus: { coding: [{ system: CLINICAL, code: rule.clinical ?? 'active' }] },
      verificationStatus: { coding: [{ system: VERIFICATION, code: rule.verification ?? 'provisional' }] },
      category: [{ coding: [{ system: CATEGORY, code: rule.category ?? 'encounter-diagnosis' }] }],
      code: f.concept,
      subject: f.subject,
      encounter: ctx.encounter,
      recordedDate: ctx.effective,
    };
    const onset = rule.onset && dateTime(read(ctx, rule.onset, f.scope)[0]);
    if (onset) c.onsetDateTime = onset;
    const abatement = rule.abatement && dateTime(read(ctx, rule.abatement, f.scope)[0]);
    if (abatement) c.abatementDateTime = abatement;
    if (ctx.performer) c.recorder = ctx.performer[0];
    const asserter = rule.performer && performerOf(ctx, rule.performer, f.scope);
    if (asserter && asserter.actor.reference) c.asserter = asserter.actor;
    const shared = sharedKey && ctx.effective;
    out.push(
      shared
        ? withClaims(
            c,
            systems(ctx.d).statement,
            Object.keys(c)
              .filter((k) => k !== 'resourceType' && k !== 'id' && !(k in defaulted(rule)))
              .map((k) => slotOf('Condition', k)),
            ctx.effective!,
          )
        : c,
    );
  }
  return out;
}

/**
 * What the Condition holds only because the rule left it to the default: it
 * fills an empty slot but claims none, so a later report with defaults never
 * takes back what an earlier one stated (a confirmed diagnosis, a problem-list item).
 */
function defaulted(rule: ConditionRule): Record<string, true> {
  return { ...(rule.verification ? {} : { verificationStatus: true }), ...(rule.category ? {} : { category: true }) };
}
