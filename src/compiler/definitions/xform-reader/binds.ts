import type { FieldType } from '../../../core/model';
import { descendants, resolvePath } from './dom';
import type { XFormField, XFormGroup } from './types';

/** Binds: each field's type, calculate and readonly; then the doc type each db-doc section saves. */

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

export function readBinds(doc: Document, rootName: string, fields: Record<string, XFormField>): void {
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
}

/** The doc type a db-doc section saves: its `type` child's value or literal calculate. */
export function readDocTypes(groups: Record<string, XFormGroup>, fields: Record<string, XFormField>): void {
  for (const [path, g] of Object.entries(groups)) {
    const t = g.dbDoc ? fields[path + '.type'] : undefined;
    const literal = t && (t.value ?? /^\s*(['"])([^'"]*)\1\s*$/.exec(t.calculate ?? '')?.[2]);
    if (literal) g.docType = literal;
  }
}
