import type { FormModel, RuleList } from '../../core/model';
import { jsLiteral } from './js-literal';

/**
 * The form's rules with what most rules of a list share written once, in
 * `defaults` (core/rules.ts `rulesOf` fills it back in): the episode scope
 * of a pregnancy's danger signs, the newborn subject of a delivery's baby
 * facts. A property moves only when the bytes it saves outweigh the `0`
 * that rules without it then need. The model is in every phone's settings.
 */
const LISTS: RuleList[] = ['observations', 'conditions', 'immunizations', 'procedures', 'appointments', 'medications', 'referrals'];
/** A rule's mark for "none of the shared value": 0, which no rule property holds. */
const NONE = 0;
/** What a rule's property costs as stored (`key:value,`). */
const cost = (key: string, value: unknown) => key.length + jsLiteral(value).length + 2;

export function hoistDefaults(form: FormModel): FormModel {
  const out: FormModel = { ...form };
  for (const list of LISTS) {
    const rules = form[list] as Array<Record<string, unknown>> | undefined;
    if (!rules || rules.length < 2) continue;
    const shared: Record<string, unknown> = {};
    let moved = rules.map((r) => ({ ...r }));
    const keys = new Set(rules.flatMap((r) => Object.keys(r)));
    for (const key of keys) {
      const counts = new Map<string, number>();
      for (const r of moved) if (key in r) counts.set(jsLiteral(r[key]), (counts.get(jsLiteral(r[key])) ?? 0) + 1);
      const [best, n] = [...counts].sort((a, b) => b[1] - a[1])[0]!;
      const value = moved.find((r) => key in r && jsLiteral(r[key]) === best)![key];
      const without = moved.filter((r) => !(key in r)).length;
      if (n * cost(key, value) - cost(key, value) - without * cost(key, NONE) <= 0) continue;
      shared[key] = value;
      moved = moved.map((r) => {
        if (!(key in r)) return { ...r, [key]: NONE };
        if (jsLiteral(r[key]) !== best) return r;
        const { [key]: _same, ...rest } = r;
        return rest;
      });
    }
    if (!Object.keys(shared).length) continue;
    (out as unknown as Record<string, unknown>)[list] = moved;
    out.defaults = { ...out.defaults, [list]: shared };
  }
  return out;
}
