import { DOMParser } from '@xmldom/xmldom';
import type { FieldType } from '../core/model';

/**
 * What the build reads from an XForm in forms/app: the form id, each field's
 * type (from its bind) and the answer values of each select, keyed by the
 * dotted path CHT uses under `doc.fields`.
 */
export interface XFormInfo {
  id: string;
  title: string;
  fields: Record<string, FieldType>;
  choices: Record<string, string[]>;
  /** Label of each control, group and choice (`<field>=<value>`), where the form has an inline one. */
  labels: Record<string, string>;
  /** The instance's nodes in form order; groups have children. */
  tree: InstanceNode[];
  hasInstanceId: boolean;
}

export interface InstanceNode {
  path: string;
  children?: InstanceNode[];
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

function children(el: Element): Element[] {
  const out: Element[] = [];
  for (let n = el.firstChild; n; n = n.nextSibling) if (n.nodeType === 1) out.push(n as Element);
  return out;
}

function descendants(el: Element | Document, local: string): Element[] {
  const list = el.getElementsByTagName('*');
  const out: Element[] = [];
  for (let i = 0; i < list.length; i++) if ((list[i].localName ?? list[i].nodeName) === local) out.push(list[i]);
  return out;
}

/** `/form/vitals/weight` -> `vitals.weight` */
function fieldPath(nodeset: string, root: string): string | undefined {
  const parts = nodeset.split('/').filter(Boolean);
  return parts[0] === root && parts.length > 1 ? parts.slice(1).join('.') : undefined;
}

export function parseXForm(xml: string, file: string): XFormInfo {
  const errors: string[] = [];
  const doc = new DOMParser({ errorHandler: { error: (m: string) => errors.push(m), fatalError: (m: string) => errors.push(m) } }).parseFromString(xml, 'text/xml');
  if (errors.length || !doc.documentElement) throw new Error(`${file}: not well-formed XML: ${errors[0] ?? 'empty'}`);
  const instance = descendants(doc, 'instance')[0];
  const root = instance && children(instance)[0];
  if (!root) throw new Error(`${file}: no <instance> with a form root element`);
  const id = root.getAttribute('id') || root.localName || '';
  const rootName = root.localName ?? root.nodeName;
  const fields: Record<string, FieldType> = {};
  for (const bind of descendants(doc, 'bind')) {
    const path = fieldPath(bind.getAttribute('nodeset') ?? '', rootName);
    const type = TYPES[(bind.getAttribute('type') ?? 'string').replace(/^xsd:/, '')];
    if (path && type) fields[path] = type;
  }
  // Leaves of the instance without a bind are strings.
  const walk = (el: Element, prefix: string): InstanceNode[] =>
    children(el).map((c) => {
      const path = prefix + (c.localName ?? c.nodeName);
      if (children(c).length) return { path, children: walk(c, path + '.') };
      if (!fields[path]) fields[path] = 'string';
      return { path };
    });
  const tree = walk(root, '');
  const labels: Record<string, string> = {};
  const labelOf = (el: Element) => {
    const l = children(el).find((c) => (c.localName ?? c.nodeName) === 'label');
    const t = l ? (l.textContent ?? '').replace(/\s+/g, ' ').trim() : '';
    return t || undefined;
  };
  for (const tag of ['input', 'select', 'select1', 'group', 'repeat', 'trigger']) {
    for (const el of descendants(doc, tag)) {
      const path = fieldPath(el.getAttribute('ref') ?? el.getAttribute('nodeset') ?? '', rootName);
      const label = labelOf(el);
      if (path && label) labels[path] = label;
      if (path && (tag === 'select' || tag === 'select1')) {
        for (const item of descendants(el, 'item')) {
          const value = (descendants(item, 'value')[0]?.textContent ?? '').trim();
          const itemLabel = labelOf(item);
          if (value && itemLabel) labels[path + '=' + value] = itemLabel;
        }
      }
    }
  }
  const title = (descendants(doc, 'title')[0]?.textContent ?? '').trim() || id;
  const choices: Record<string, string[]> = {};
  for (const tag of ['select', 'select1']) {
    for (const sel of descendants(doc, tag)) {
      const path = fieldPath(sel.getAttribute('ref') ?? '', rootName);
      if (!path) continue;
      fields[path] = tag as FieldType;
      choices[path] = descendants(sel, 'value').map((v) => (v.textContent ?? '').trim());
    }
  }
  return { id, title, fields, choices, labels, tree, hasInstanceId: fields['meta.instanceID'] !== undefined };
}
