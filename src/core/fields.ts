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

export function answersAt(fields: unknown, shape: Shape, ref: string, scope: Scope = {}): Answer[] {
  const path = fullPath(shape, ref);
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

/** The leaf code at a field of a form's shape, named as the model names it (`fullPath`), if any. */
export function leafCode(shape: Shape, ref: string): string | undefined {
  return leafAt(shape, fullPath(shape, ref));
}

/** The leaf code at a full dotted path of a shape (repeats are one-element arrays), if any. */
export function leafAt(shape: Shape, path: string): string | undefined {
  let node: unknown = shape;
  for (const seg of path.split('.')) {
    if (Array.isArray(node)) node = node[0];
    node = isObject(node) ? own(node, seg) : undefined;
  }
  return typeof node === 'string' ? node : undefined;
}

/** Per shape: its leaves' paths, and each name the model used -> its path. A shape is not changed once read. */
const known = new WeakMap<Shape, { leaves: string[]; paths: Map<string, string> }>();

/**
 * A field's path from how the model names it: the model names each field
 * by the shortest dotted suffix of its path that no other field of the form
 * ends with (`baby_details.fever`, not `babys_condition.baby_repeat.baby_details.fever`),
 * which keeps the model small on phones (build: definitions/field-refs.ts).
 * A full path is itself (it wins over a leaf it is the suffix of), and so
 * is a name the shape does not know.
 */
export function fullPath(shape: Shape, ref: string): string {
  let index = known.get(shape);
  if (!index) {
    const leaves: string[] = [];
    const walk = (node: unknown, prefix: string): void => {
      if (Array.isArray(node)) return walk(node[0], prefix);
      if (typeof node === 'string') return void leaves.push(prefix);
      if (isObject(node)) for (const k of Object.keys(node)) walk(node[k], prefix ? prefix + '.' + k : k);
    };
    walk(shape, '');
    index = { leaves, paths: new Map() };
    known.set(shape, index);
  }
  let path = index.paths.get(ref);
  if (path === undefined) {
    const ending = index.leaves.indexOf(ref) >= 0 ? [] : index.leaves.filter((p) => p.endsWith('.' + ref));
    path = ending.length === 1 ? ending[0]! : ref;
    index.paths.set(ref, path);
  }
  return path;
}
