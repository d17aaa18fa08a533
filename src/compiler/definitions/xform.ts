import { DOMParser } from '@xmldom/xmldom';
import { readBinds, readDocTypes } from './xform-reader/binds';
import { readBody } from './xform-reader/body';
import { children, descendants, nameOf } from './xform-reader/dom';
import { readInstance } from './xform-reader/instance';
import { readItext } from './xform-reader/itext';
import type { XFormInfo } from './xform-reader/types';

export type { Choice, InstanceNode, Labels, XFormField, XFormGroup, XFormInfo } from './xform-reader/types';

/**
 * What the build reads from an XForm as CHT runs it (pyxform / cht-conf
 * output and hand-written forms alike): binds and their types, labels in
 * every itext language, select choices inline or from itemsets over
 * secondary instances, groups, repeats, `db-doc` sections and `db-doc-ref`
 * fields. Paths are the dotted paths CHT uses under a report's `fields`
 * (`babies.baby.weight`); a repeat's path names its instances' array.
 * Each part is read in its own module under xform-reader/.
 */
export function parseXForm(xml: string, file: string): XFormInfo {
  const doc = parseXml(xml, file);
  const instances = descendants(doc, 'instance');
  const primary = instances.find((i) => !i.getAttribute('id'));
  const root = primary && children(primary)[0];
  if (!root) throw new Error(`${file}: no <instance> with a form root element`);
  const rootName = nameOf(root);
  const id = root.getAttribute('id') || rootName;
  const itext = readItext(doc);
  const { fields, groups, tree } = readInstance(doc, root, rootName);
  readBinds(doc, rootName, fields);
  readDocTypes(groups, fields);
  const body = descendants(doc, 'body')[0];
  if (body) readBody({ rootName, fields, groups, instances, itext }, body, []);
  const title = (descendants(doc, 'title')[0]?.textContent ?? '').trim() || id;
  return {
    id,
    root: rootName,
    title,
    languages: itext.languages.filter(Boolean),
    fields,
    groups,
    tree,
    hasInstanceId: fields['meta.instanceID'] !== undefined,
  };
}

function parseXml(xml: string, file: string): Document {
  const errors: string[] = [];
  const doc = new DOMParser({ errorHandler: { error: (m: string) => errors.push(m), fatalError: (m: string) => errors.push(m) } }).parseFromString(
    xml,
    'text/xml',
  );
  if (errors.length || !doc.documentElement) throw new Error(`${file}: not well-formed XML: ${errors[0] ?? 'empty'}`);
  return doc;
}
