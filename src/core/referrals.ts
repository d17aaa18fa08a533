import type { CodeableConcept, Condition, ServiceRequest } from 'fhir/r4';
import type { Priority, ReferralRule } from './model';
import { refTo, resourceId, systems } from './identity';
import { type ReportContext, codedFacts, dateFor, read } from './rules';
import { locationOf, performerOf } from './actors';
import { choices, own, text } from './values';
import type { Scope } from './fields';

/**
 * A referral the health worker made: a ServiceRequest from them (requester)
 * to a facility (performer: the rule's, else the facility the health worker
 * belongs to), with the reasons the form gives. Its id derives from the form
 * instance like every resource of the report, and its identifier carries
 * the instance and rule, so a clinic system answers it by reference
 * (`Task.basedOn`, `Encounter.basedOn`) and the answer finds its way back.
 */
export function referralsFor(ctx: ReportContext, rule: ReferralRule, conditions: Condition[] = []): ServiceRequest[] {
  const out: ServiceRequest[] = [];
  for (const f of codedFacts(ctx, rule)) {
    if (!f.subject) continue;
    const sr: ServiceRequest = {
      resourceType: 'ServiceRequest',
      id: resourceId(ctx.d, 'ServiceRequest', ctx.key, f.part),
      identifier: [{ system: systems(ctx.d).formInstance, value: `${ctx.key}#${f.part}` }],
      status: 'active',
      intent: rule.intent ?? 'order',
      code: f.concept,
      subject: f.subject,
    };
    const priority = priorityOf(ctx, rule, f.scope);
    if (priority) sr.priority = priority;
    if (ctx.encounter) sr.encounter = ctx.encounter;
    const when = rule.date && dateFor(ctx, rule.date, f.scope);
    if (when) sr.occurrenceDateTime = when;
    if (ctx.effective) sr.authoredOn = ctx.effective;
    if (ctx.performer) sr.requester = ctx.performer[0];
    const to = rule.performer ? performerOf(ctx, rule.performer, f.scope) : undefined;
    if (to) sr.performer = [to.actor];
    else if (!rule.performer && ctx.facility) sr.performer = [refTo(ctx.d, 'Organization', ctx.facility)];
    const place = locationOf(ctx, rule.location, f.scope);
    if (place) sr.locationReference = [place];
    if (rule.reasons === 'conditions') {
      const found = conditions.filter(
        (c) =>
          c.subject.reference === f.subject!.reference &&
          c.clinicalStatus?.coding?.[0]?.code === 'active' &&
          c.category?.[0]?.coding?.[0]?.code === 'encounter-diagnosis',
      );
      if (found.length) sr.reasonReference = found.map((c) => ({ reference: 'Condition/' + c.id }));
    } else {
      const reasons = reasonsOf(ctx, rule.reasons ?? [], f.scope);
      if (reasons.length) sr.reasonCode = reasons;
    }
    out.push(sr);
  }
  return out;
}

function priorityOf(ctx: ReportContext, rule: ReferralRule, scope: Scope): Priority | undefined {
  const p = rule.priority;
  if (!p || typeof p === 'string') return p;
  return own(p.answers, text(read(ctx, p.field, scope)[0]) ?? '');
}

function reasonsOf(ctx: ReportContext, reasons: Array<{ field: string; answers: Record<string, string> }>, scope: Scope): CodeableConcept[] {
  const keys: string[] = [];
  for (const r of reasons) {
    for (const answer of choices(read(ctx, r.field, scope)[0])) {
      const key = own(r.answers, answer);
      if (key && keys.indexOf(key) < 0) keys.push(key);
    }
  }
  return keys.map((k) => ctx.concept(k));
}
