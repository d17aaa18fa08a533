import { children, descendants, nameOf, resolvePath, squash } from './dom';
import type { InstanceNode, XFormField, XFormGroup } from './types';

/** The primary instance: the tree, groups, repeats (from jr:template), db-doc sections, db-doc-ref leaves. */
export interface Instance {
  fields: Record<string, XFormField>;
  groups: Record<string, XFormGroup>;
  tree: InstanceNode[];
}

/** What the walk down the instance knows: the root's name, the repeats, and what it has found. */
interface Walk extends Instance {
  rootName: string;
  repeatPaths: Set<string>;
}

export function readInstance(doc: Document, root: Element, rootName: string): Instance {
  const repeatPaths = new Set<string>();
  for (const r of descendants(doc, 'repeat')) {
    const p = resolvePath(r.getAttribute('nodeset') ?? '', [], rootName);
    if (p) repeatPaths.add(p);
  }
  const walk: Walk = { rootName, repeatPaths, fields: {}, groups: {}, tree: [] };
  walk.tree = nodesOf(walk, root, '', undefined);
  return { fields: walk.fields, groups: walk.groups, tree: walk.tree };
}

function nodesOf(w: Walk, el: Element, prefix: string, inRepeat: string | undefined): InstanceNode[] {
  const out: InstanceNode[] = [];
  const seen = new Set<string>();
  for (const c of children(el)) {
    const name = nameOf(c);
    // A repeat's template and its default instances share one name: one node.
    if (seen.has(name)) continue;
    seen.add(name);
    const path = prefix + name;
    const isRepeat = w.repeatPaths.has(path) || c.hasAttribute('jr:template');
    if (isRepeat) w.repeatPaths.add(path);
    const scope = isRepeat ? path : inRepeat;
    if (children(c).length || isRepeat || c.getAttribute('db-doc') === 'true') {
      w.groups[path] = { repeat: isRepeat, dbDoc: (c.getAttribute('db-doc') ?? '').toLowerCase() === 'true', ...(scope ? { inRepeat: scope } : {}) };
      out.push({ path, children: nodesOf(w, c, path + '.', scope) });
    } else {
      w.fields[path] = leafField(w, c, path, inRepeat);
      out.push({ path });
    }
  }
  return out;
}

/** A leaf of the instance: its default value, its repeat, the section a db-doc-ref points at. */
function leafField(w: Walk, c: Element, path: string, inRepeat: string | undefined): XFormField {
  const f: XFormField = { type: 'string', control: false };
  if (inRepeat) f.repeat = inRepeat;
  const value = squash(c.textContent ?? '');
  if (value) f.value = value;
  const ref = c.hasAttribute('db-doc-ref') ? (c.getAttribute('db-doc-ref') ?? '') : undefined;
  // Relative to the field itself: `../profile` is a sibling.
  if (ref !== undefined) f.dbDocRef = resolvePath(ref, path.split('.'), w.rootName) ?? ref.trim();
  return f;
}
