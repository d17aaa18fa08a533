import { parseTree, findNodeAtLocation, type Node, type ParseError } from 'jsonc-parser';
import { isGenerated, type OutboundEntry } from './outbound';

/**
 * Puts what the build owns into the admin's settings file as text edits, so
 * every other byte stays as it was (their indentation, key order, spacing):
 * the generated `outbound` entries (`cht-fhir*`: replaced, stale ones
 * removed; hand-written entries untouched) and
 * `transitions.mark_for_outbound: true`, without which CHT pushes nothing.
 */
export function withOwnedSettings(text: string, entries: Record<string, OutboundEntry>, file: string): string {
  for (const key of Object.keys(entries)) if (!isGenerated(key)) throw new Error(`outbound entry '${key}' is not a generated name`);
  const unit = /\n([ \t]+)\S/.exec(text)?.[1] ?? '  ';
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  let out = text;
  const root = () => {
    const errors: ParseError[] = [];
    const tree = parseTree(out, errors, { allowTrailingComma: false, disallowComments: true });
    if (errors.length || tree?.type !== 'object') throw new Error(`${file}: not a JSON object (offset ${errors[0]?.offset ?? 0}); fix it before building`);
    return tree;
  };
  const object = (at: string[]): Node | undefined => {
    const node = findNodeAtLocation(root(), at);
    if (node && node.type !== 'object') throw new Error(`${file}: /${at.join('/')} must be an object`);
    return node;
  };
  object(['outbound']);
  object(['transitions']);

  const stale = (object(['outbound'])?.children ?? []).map((p) => String(p.children?.[0]?.value)).filter((k) => isGenerated(k) && !(k in entries));
  for (const key of stale) out = removeProperty(out, findNodeAtLocation(root(), ['outbound', key])!.parent!);
  for (const [key, entry] of Object.entries(entries)) out = setProperty(out, root(), ['outbound', key], entry, unit, eol);
  if (findNodeAtLocation(root(), ['transitions', 'mark_for_outbound'])?.value !== true)
    out = setProperty(out, root(), ['transitions', 'mark_for_outbound'], true, unit, eol);
  return out;
}

/** Sets `at` to `value`: replaces the value's text, or adds the property (and missing parents) at the end of its object. */
function setProperty(text: string, root: Node, at: string[], value: unknown, unit: string, eol: string): string {
  const existing = findNodeAtLocation(root, at);
  if (existing) return splice(text, existing.offset, existing.length, render(value, lineIndent(text, existing.offset), unit, eol));
  // The deepest existing parent object, and what to add inside it.
  let depth = at.length - 1;
  while (depth > 0 && !findNodeAtLocation(root, at.slice(0, depth))) depth--;
  const parent = depth === 0 ? root : findNodeAtLocation(root, at.slice(0, depth))!;
  let added: unknown = value;
  for (const key of at.slice(depth + 1).reverse()) added = { [key]: added };
  const indent = lineIndent(text, parent.offset) + unit;
  const member = `${JSON.stringify(at[depth]!)}: ${render(added, indent, unit, eol)}`;
  const last = parent.children?.[parent.children.length - 1];
  if (last) return splice(text, last.offset + last.length, 0, `,${eol}${indent}${member}`);
  const close = parent.offset + parent.length - 1;
  return splice(text, parent.offset + 1, close - parent.offset - 1, `${eol}${indent}${member}${eol}${lineIndent(text, parent.offset)}`);
}

/** Removes a property with the comma that separates it from a neighbour. */
function removeProperty(text: string, property: Node): string {
  const siblings = property.parent!.children!;
  const i = siblings.indexOf(property);
  const prev = siblings[i - 1];
  if (prev) {
    return splice(text, prev.offset + prev.length, property.offset + property.length - (prev.offset + prev.length), '');
  }
  const next = siblings[i + 1];
  return next ? splice(text, property.offset, next.offset - property.offset, '') : splice(text, property.offset, property.length, '');
}

const splice = (text: string, offset: number, length: number, insert: string) => text.slice(0, offset) + insert + text.slice(offset + length);

/** The indentation of the line `offset` is on. */
function lineIndent(text: string, offset: number): string {
  const start = text.lastIndexOf('\n', offset - 1) + 1;
  return /^[ \t]*/.exec(text.slice(start))![0];
}

/** JSON in the file's indentation, continuing at `indent`. */
function render(value: unknown, indent: string, unit: string, eol: string): string {
  return JSON.stringify(value, null, unit).replace(/\n/g, eol + indent);
}
