import { DOMParser } from '@xmldom/xmldom';
import type { FieldType } from '../../core/model';

/**
 * What the build reads from an XForm as CHT runs it (pyxform / cht-conf
 * output and hand-written forms alike): binds and their types, labels in
 * every itext language, select choices inline or from itemsets over
 * secondary instances, groups, repeats, `db-doc` sections and `db-doc-ref`
 * fields. Paths are the dotted paths CHT uses under a report's `fields`
 * (`babies.baby.weight`); a repeat's path names its instances' array.
 */

/** Text per language; `''` when the form has no itext (inline labels). */
export type Labels = Record<string, string>;

export interface Choice {
  value: string;
  label?: Labels;
}

export interface XFormField {
  type: FieldType;
  /** Bind type as written (`db:person`, `geopoint`, ...) when it is not one of FieldType. */
  rawType?: string;
  label?: Labels;
  /** Undefined when the list lives outside the form (an external CSV instance). */
  choices?: Choice[];
  /** Innermost repeat holding the field. */
  repeat?: string;
  calculate?: string;
  /** `readonly="true()"` with no calculate: a note, shown, never answered. */
  readonly?: boolean;
  /** The primary instance's default value. */
  value?: string;
  /** A `db-doc-ref` field: the path of the section it references (`''` = the report itself). */
  dbDocRef?: string;
  /** Appearance of its control (`select-contact type-person`, ...). */
  appearance?: string;
  /** Has a control in the body (an answer the user gives or sees). */
  control: boolean;
}

export interface XFormGroup {
  label?: Labels;
  repeat: boolean;
  /** Innermost repeat holding the group (itself for a repeat). */
  inRepeat?: string;
  /** `db-doc="true"`: saved as a doc of its own as well. */
  dbDoc: boolean;
  /** For a db-doc section, the doc `type` it saves (`person`, `data_record`...), when the form fixes it. */
  docType?: string;
}

export interface InstanceNode {
  path: string;
  children?: InstanceNode[];
}

export interface XFormInfo {
  id: string;
  /** The primary instance's root element: absolute XPaths start with it. */
  root: string;
  title: string;
  /** itext languages, the default first; empty when labels are inline. */
  languages: string[];
  fields: Record<string, XFormField>;
  groups: Record<string, XFormGroup>;
  /** The primary instance's nodes in form order; groups have children. */
  tree: InstanceNode[];
  hasInstanceId: boolean;
}

const TYPES: Record<string, FieldType> = {
  string: 'string',
  int: 'int',
  integer: 'int',
  decimal: 'decimal',
  date: 'date',
  dateTime: 'dateTime',
  datetime: 'dateTime',
  boolean: 'boolean',
  select1: 'select1',
  select: 'select',
};
const CONTROLS = ['input', 'select', 'select1', 'upload', 'trigger', 'range', 'rank', 'odk:rank'];

const nameOf = (el: Element) => el.localName ?? el.nodeName;

function children(el: Element): Element[] {
  const out: Element[] = [];
  for (let n = el.firstChild; n; n = n.nextSibling) if (n.nodeType === 1) out.push(n as Element);
  return out;
}

function descendants(el: Element | Document, local: string): Element[] {
  const list = el.getElementsByTagName('*');
  const out: Element[] = [];
  for (const node of Array.from(list)) if (nameOf(node) === local) out.push(node);
  return out;
}

const squash = (s: string) => s.replace(/\s+/g, ' ').trim();

/** Text of a label or itext value; `<output value="/f/x"/>` shows as `{x}`. */
function textOf(el: Element): string {
  let out = '';
  for (let n = el.firstChild; n; n = n.nextSibling) {
    if (n.nodeType === 3 || n.nodeType === 4) out += n.nodeValue ?? '';
    else if (n.nodeType === 1) {
      const e = n as Element;
      if (nameOf(e) === 'output') out += '{' + (e.getAttribute('value') ?? '').trim().split('/').pop() + '}';
      else out += textOf(e);
    }
  }
  return squash(out);
}

/** Resolves an XPath node reference (absolute, or relative to `context`) to a dotted path under the root. */
function resolvePath(ref: string, context: string[], root: string): string | undefined {
  const r = ref.trim();
  if (!r) return undefined;
  const parts = r.startsWith('/') ? [] : context.slice();
  for (const seg of r.split('/')) {
    if (!seg || seg === '.') continue;
    if (seg === '..') parts.pop();
    else if (/^[A-Za-z_][\w.-]*(:[\w.-]+)?$/.test(seg)) parts.push(seg);
    else return undefined;
  }
  if (r.startsWith('/')) return parts[0] === root ? parts.slice(1).join('.') : undefined;
  return parts.join('.');
}

/** itext: id -> language -> text (the plain value, not image/audio forms). */
function readItext(doc: Document): { languages: string[]; texts: Map<string, Labels> } {
  const texts = new Map<string, Labels>();
  const translations = descendants(doc, 'translation');
  const def = translations.find((t) => /^true/.test(t.getAttribute('default') ?? ''));
  const ordered = def ? [def, ...translations.filter((t) => t !== def)] : translations;
  const languages: string[] = [];
  for (const t of ordered) {
    const lang = t.getAttribute('lang') ?? '';
    languages.push(lang);
    for (const text of children(t).filter((c) => nameOf(c) === 'text')) {
      const value = children(text).find((v) => nameOf(v) === 'value' && !v.getAttribute('form'));
      const s = value ? textOf(value) : '';
      if (!s) continue;
      const id = text.getAttribute('id') ?? '';
      const labels = texts.get(id) ?? {};
      labels[lang] = s;
      texts.set(id, labels);
    }
  }
  return { languages, texts };
}

export function parseXForm(xml: string, file: string): XFormInfo {
  const errors: string[] = [];
  const doc = new DOMParser({ errorHandler: { error: (m: string) => errors.push(m), fatalError: (m: string) => errors.push(m) } }).parseFromString(
    xml,
    'text/xml',
  );
  if (errors.length || !doc.documentElement) throw new Error(`${file}: not well-formed XML: ${errors[0] ?? 'empty'}`);
  const instances = descendants(doc, 'instance');
  const primary = instances.find((i) => !i.getAttribute('id'));
  const root = primary && children(primary)[0];
  if (!root) throw new Error(`${file}: no <instance> with a form root element`);
  const rootName = nameOf(root);
  const id = root.getAttribute('id') || rootName;
  const { languages, texts } = readItext(doc);

  const labelOf = (el: Element, item?: Element): Labels | undefined => {
    const l = children(el).find((c) => nameOf(c) === 'label');
    if (!l) return undefined;
    const ref = l.getAttribute('ref');
    if (ref) {
      const itext = /^\s*jr:itext\(\s*'([^']*)'\s*\)\s*$/.exec(ref) ?? /^\s*jr:itext\(\s*"([^"]*)"\s*\)\s*$/.exec(ref);
      if (itext) return texts.get(itext[1]!);
      // Itemset labels: jr:itext(itextId) or a child of the item (`label`).
      const dynamic = /^\s*jr:itext\(\s*([\w-]+)\s*\)\s*$/.exec(ref);
      if (item && dynamic) return texts.get(childText(item, dynamic[1]!));
      if (item) {
        const s = childText(item, ref.trim());
        return s ? { [languages[0] ?? '']: s } : undefined;
      }
      return undefined;
    }
    const s = textOf(l);
    return s ? { [languages[0] ?? '']: s } : undefined;
  };

  // Primary instance: the tree, groups, repeats (from jr:template), db-doc sections, db-doc-ref leaves.
  const fields: Record<string, XFormField> = {};
  const groups: Record<string, XFormGroup> = {};
  const repeatPaths = new Set<string>();
  for (const r of descendants(doc, 'repeat')) {
    const p = resolvePath(r.getAttribute('nodeset') ?? '', [], rootName);
    if (p) repeatPaths.add(p);
  }
  const walk = (el: Element, prefix: string, inRepeat: string | undefined): InstanceNode[] => {
    const out: InstanceNode[] = [];
    const seen = new Set<string>();
    for (const c of children(el)) {
      const name = nameOf(c);
      // A repeat's template and its default instances share one name: one node.
      if (seen.has(name)) continue;
      seen.add(name);
      const path = prefix + name;
      const isRepeat = repeatPaths.has(path) || c.hasAttribute('jr:template');
      if (isRepeat) repeatPaths.add(path);
      const scope = isRepeat ? path : inRepeat;
      if (children(c).length || isRepeat || c.getAttribute('db-doc') === 'true') {
        groups[path] = { repeat: isRepeat, dbDoc: (c.getAttribute('db-doc') ?? '').toLowerCase() === 'true', ...(scope ? { inRepeat: scope } : {}) };
        out.push({ path, children: walk(c, path + '.', scope) });
      } else {
        const f: XFormField = { type: 'string', control: false };
        if (inRepeat) f.repeat = inRepeat;
        const value = squash(c.textContent ?? '');
        if (value) f.value = value;
        const ref = c.hasAttribute('db-doc-ref') ? (c.getAttribute('db-doc-ref') ?? '') : undefined;
        // Relative to the field itself: `../profile` is a sibling.
        if (ref !== undefined) f.dbDocRef = resolvePath(ref, path.split('.'), rootName) ?? ref.trim();
        fields[path] = f;
        out.push({ path });
      }
    }
    return out;
  };
  const tree = walk(root, '', undefined);

  for (const bind of descendants(doc, 'bind')) {
    const path = resolvePath(bind.getAttribute('nodeset') ?? '', [], rootName);
    const f = path !== undefined ? fields[path] : undefined;
    if (!f) continue;
    const raw = (bind.getAttribute('type') || 'string').replace(/^xsd:/, '');
    f.type = TYPES[raw] ?? 'string';
    if (!TYPES[raw]) f.rawType = raw;
    const calculate = bind.getAttribute('calculate');
    if (calculate) f.calculate = calculate;
    if (/^\s*true\(\)\s*$/.test(bind.getAttribute('readonly') ?? '') && !calculate) f.readonly = true;
  }
  // The doc type a db-doc section saves: its `type` child's value or literal calculate.
  for (const [path, g] of Object.entries(groups)) {
    const t = g.dbDoc ? fields[path + '.type'] : undefined;
    const literal = t && (t.value ?? /^\s*(['"])([^'"]*)\1\s*$/.exec(t.calculate ?? '')?.[2]);
    if (literal) g.docType = literal;
  }

  // Body: controls (relative refs resolve against their group), labels, choices.
  const body = descendants(doc, 'body')[0];
  const visit = (el: Element, context: string[]) => {
    for (const c of children(el)) {
      const tag = c.nodeName;
      // xmldom answers '' for a missing attribute, not null.
      const ref = c.getAttribute('ref') || c.getAttribute('nodeset') || '';
      const path = ref ? resolvePath(ref, context, rootName) : undefined;
      if ((tag === 'group' || tag === 'repeat') && path !== undefined) {
        const g = groups[path];
        const label = labelOf(c);
        if (g && label && !g.label) g.label = label;
        visit(c, path ? path.split('.') : []);
        continue;
      }
      if (CONTROLS.indexOf(tag) >= 0 && path !== undefined && fields[path]) {
        const f = fields[path];
        f.control = true;
        const label = labelOf(c);
        if (label) f.label = label;
        const appearance = c.getAttribute('appearance');
        if (appearance) f.appearance = appearance;
        if (tag === 'select' || tag === 'select1') {
          f.type = tag;
          f.choices = choicesOf(c, instances, labelOf);
        }
        continue;
      }
      visit(c, context);
    }
  };
  if (body) visit(body, []);

  const title = (descendants(doc, 'title')[0]?.textContent ?? '').trim() || id;
  return { id, root: rootName, title, languages: languages.filter(Boolean), fields, groups, tree, hasInstanceId: fields['meta.instanceID'] !== undefined };
}

function childText(el: Element, name: string): string {
  const c = children(el).find((x) => nameOf(x) === name);
  return c ? squash(c.textContent ?? '') : '';
}

/**
 * Inline `<item>`s, or an `<itemset>` over a secondary instance: every item
 * of that instance (a choice filter narrows the list at run time, not the
 * values a report can hold). Undefined when the instance is external.
 */
function choicesOf(select: Element, instances: Element[], labelOf: (el: Element, item?: Element) => Labels | undefined): Choice[] | undefined {
  const itemset = children(select).find((c) => nameOf(c) === 'itemset');
  if (!itemset) {
    return children(select)
      .filter((c) => nameOf(c) === 'item')
      .map((item) => {
        const choice: Choice = { value: childText(item, 'value') };
        const label = labelOf(item);
        if (label) choice.label = label;
        return choice;
      })
      .filter((c) => c.value);
  }
  const m = /instance\(\s*['"]([^'"]+)['"]\s*\)((?:\/[\w\-:]+(?:\[[^\]]*\])?)*)/.exec(itemset.getAttribute('nodeset') ?? '');
  const source = m && instances.find((i) => i.getAttribute('id') === m[1]);
  if (!m || !source || source.getAttribute('src')) return undefined;
  let nodes = [source];
  for (const name of (m[2] ?? '')
    .replace(/\[[^\]]*\]/g, '')
    .split('/')
    .filter(Boolean)) {
    nodes = nodes.flatMap((n) => children(n).filter((c) => nameOf(c) === name));
  }
  const valueRef =
    children(itemset)
      .find((c) => nameOf(c) === 'value')
      ?.getAttribute('ref')
      ?.trim() || 'name';
  return nodes
    .map((item) => {
      const choice: Choice = { value: childText(item, valueRef) };
      const label = labelOf(itemset, item);
      if (label) choice.label = label;
      return choice;
    })
    .filter((c) => c.value);
}
