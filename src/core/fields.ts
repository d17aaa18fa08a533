import type { Shape } from './model';
import { isObject, own } from './values';

/**
 * Reading a report's answers through its form's shape, repeats included. A
 * path under a repeat names one value per instance; each comes back with a
 * `part` that says which (`babies[2].weight`, 1-based like XPath's
 * position()), used for stable ids, and the `scope` of repeat instances it
 * sits in, so other paths of the same rule read the same instance.
 */

/** Repeat path -> 0-based instance index. */
export type Scope = Record<string, number>;

export interface Answer {
  value: unknown;
  part: string;
  scope: Scope;
}

export function answersAt(fields: unknown, shape: Shape, path: string, scope: Scope = {}): Answer[] {
  let states: Array<{ node: unknown; shape: unknown; path: string; part: string; scope: Scope }> = [{ node: fields, shape, path: '', part: '', scope }];
  for (const seg of path.split('.')) {
    const next: typeof states = [];
    for (const s of states) {
      const value = isObject(s.node) ? own(s.node, seg) : undefined;
      const sub = isObject(s.shape) ? own(s.shape, seg) : undefined;
      const p = s.path ? s.path + '.' + seg : seg;
      const part = s.part ? s.part + '.' + seg : seg;
      if (!Array.isArray(sub)) {
        next.push({ node: value, shape: sub, path: p, part, scope: s.scope });
        continue;
      }
      // A repeat: an array of instances (one instance may be stored bare).
      const list = Array.isArray(value) ? value : value === undefined ? [] : [value];
      const bound = own(s.scope, p);
      list.forEach((node, i) => {
        if (bound === undefined || bound === i) next.push({ node, shape: sub[0], path: p, part: `${part}[${i + 1}]`, scope: { ...s.scope, [p]: i } });
      });
    }
    states = next;
  }
  return states.map((s) => ({ value: s.node, part: s.part, scope: s.scope }));
}

/** The leaf code at a dotted path of a form's shape (repeats are one-element arrays), if any. */
export function leafCode(shape: Shape, path: string): string | undefined {
  let node: unknown = shape;
  for (const seg of path.split('.')) {
    if (Array.isArray(node)) node = node[0];
    node = node && typeof node === 'object' && Object.prototype.hasOwnProperty.call(node, seg) ? (node as Shape)[seg] : undefined;
  }
  return typeof node === 'string' ? node : undefined;
}
