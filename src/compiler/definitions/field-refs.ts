import type { FormModel, When } from '../../core/model';
import { fullPath, leafAt } from '../../core/fields';
import { setLeaf } from './shape';

/**
 * Every place a compiled form names a field, in one walk: rules' fields,
 * subjects and dates at any depth (`performer.field`, `device.lot`,
 * `reasons[].field`), episodes, newborns, and the fields `when` reads.
 */
const FIELD_KEYS = new Set([
  'field',
  'subject',
  'date',
  'onset',
  'abatement',
  'statusField',
  'lot',
  'expiry',
  'dose',
  'end',
  'performer',
  'location',
  'newborns',
]);
/** Values of `performer` and `location` that name no field. */
const NOT_FIELDS = new Set(['submitter', 'household', 'facility']);

/** A copy of the form's rules with every field reference passed through `fn` (the shape is left as is). */
export function mapFieldRefs(form: FormModel, fn: (path: string) => string): FormModel {
  const when = (w: When | string | number): When | string | number => {
    if (!Array.isArray(w)) return w;
    if ((w[0] === '.' || w[0] === 'sel') && typeof w[1] === 'string') return [w[0], fn(w[1]), ...w.slice(2)] as When;
    return w.map(when);
  };
  const walk = (x: unknown): unknown => {
    if (Array.isArray(x)) return x.map(walk);
    if (!x || typeof x !== 'object') return x;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(x)) {
      if (k === 'when') out[k] = when(v as When);
      else if (FIELD_KEYS.has(k) && typeof v === 'string') out[k] = NOT_FIELDS.has(v) ? v : fn(v);
      else if (FIELD_KEYS.has(k) && Array.isArray(v) && v.every((x) => typeof x === 'string')) out[k] = v.map((x: string) => fn(x));
      else if (k === 'answers' || k === 'roles' || k === 'shape') out[k] = v;
      else out[k] = walk(v);
    }
    return out;
  };
  return walk(form) as FormModel;
}

/** Every field path the form's rules read. */
export function fieldsRead(form: FormModel): Set<string> {
  const out = new Set<string>();
  mapFieldRefs(form, (p) => (out.add(fullPath(form.shape, p)), p));
  return out;
}

/**
 * The form as it travels: each field named by its shortest unique suffix
 * (core/fields.ts `fullPath` reads it back), after the text fields the
 * rules read join the shape (code `s`), so the core can tell them apart.
 */
export function withShortFieldRefs(form: FormModel, typeOf: (path: string) => string | undefined): FormModel {
  const shape = structuredClone(form.shape);
  for (const p of fieldsRead(form)) if (leafAt(shape, p) === undefined && typeOf(p) !== undefined) setLeaf(shape, p, 's');
  const leaves: string[] = [];
  const collect = (node: unknown, prefix: string): void => {
    if (Array.isArray(node)) return collect(node[0], prefix);
    if (typeof node === 'string') return void leaves.push(prefix);
    if (node && typeof node === 'object') for (const [k, v] of Object.entries(node)) collect(v, prefix ? prefix + '.' + k : k);
  };
  collect(shape, '');
  const known = new Set(leaves);
  return { ...mapFieldRefs(form, (p) => (known.has(p) ? shortestSuffix(p, leaves) : p)), shape };
}

/**
 * The shortest dotted suffix of `path` that names it alone among `paths`:
 * no other path equals it or ends with `.` and it (core/fields.ts
 * `fullPath` reads it back).
 */
export function shortestSuffix(path: string, paths: string[]): string {
  const segs = path.split('.');
  for (let n = 1; n < segs.length; n++) {
    const suffix = segs.slice(-n).join('.');
    if (paths.every((q) => q === path || (q !== suffix && !q.endsWith('.' + suffix)))) return suffix;
  }
  return path;
}
