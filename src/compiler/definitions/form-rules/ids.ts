import type { CodedRule, ConditionRule, ObservationRule, RuleBase } from '../../../core/model';
import { report, type FormContext } from './context';

/** Resource ids kept apart: no two rules of one list make the same resource id. */

export interface RuleLists {
  observations: ObservationRule[];
  conditions: ConditionRule[];
  immunizations: CodedRule[];
  procedures: CodedRule[];
  medications: CodedRule[];
  referrals: CodedRule[];
}

/** Every list of the form's rules, each rule's id parts as its kind makes them. */
export function keepAllIdsApart(ctx: FormContext, lists: RuleLists): void {
  const { observations, conditions } = lists;
  keepIdsApart(ctx, 'observations', observations, (o) => (o.answers ? Object.keys(o.answers).map((a) => `${o.field}=${a}`) : [o.field]));
  keepIdsApart(ctx, 'conditions', conditions, (c) => (c.scope === 'patient' ? [] : codedParts(c)));
  keepIdsApart(ctx, 'conditions', conditions, (c) => (c.scope === 'patient' ? codesOf(c).map((k) => `patient:${k}`) : []), false);
  for (const kind of ['immunizations', 'procedures', 'medications', 'referrals'] as const) keepIdsApart(ctx, kind, lists[kind], codedParts);
}

/**
 * Two rules of one resource type that map the same field and answer would
 * make the same resource id (one fullUrl twice in the Bundle: bdl-7). The
 * later rule gets a `key` that keeps its ids apart; the earlier keeps its
 * ids, so resources already pushed keep theirs. Patient-scoped Conditions
 * are one per patient and concept by design: two rules making the same
 * concept there are refused (`separable` false), naming both.
 */
function keepIdsApart<R extends RuleBase & { code?: string }>(ctx: FormContext, kind: string, rules: R[], parts: (r: R) => string[], separable = true): void {
  const taken = new Map<string, number>();
  rules.forEach((r, i) => {
    const mine = parts(r);
    const clash = mine.map((p) => taken.get(p)).find((j) => j !== undefined);
    if (clash !== undefined) {
      if (!separable)
        report(
          ctx,
          `/${kind}/${i}`,
          `makes the same patient-scoped Condition as /${kind}/${clash} (${mine.find((p) => taken.has(p))}): map that concept in one rule`,
        );
      else r.key = r.code && !rules.slice(0, i).some((o) => o.code === r.code) ? r.code : String(i);
    }
    for (const p of mine) if (!taken.has(p)) taken.set(p, i);
  });
}

function codesOf(r: CodedRule): string[] {
  if (!r.answers) return r.code ? [r.code] : [];
  return [...new Set(Object.values(r.answers).flat())];
}

function codedParts(r: CodedRule): string[] {
  return r.field && r.answers ? Object.keys(r.answers).map((a) => `${r.field}=${a}`) : [`code=${r.code ?? ''}`];
}
