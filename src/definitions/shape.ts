import type { Shape } from '../core/model';

/** The leaf code at a dotted path of a form's shape (repeats are one-element arrays), if any. */
export function leafCode(shape: Shape, path: string): string | undefined {
  let node: unknown = shape;
  for (const seg of path.split('.')) {
    if (Array.isArray(node)) node = node[0];
    node = node && typeof node === 'object' && Object.prototype.hasOwnProperty.call(node, seg) ? (node as Shape)[seg] : undefined;
  }
  return typeof node === 'string' ? node : undefined;
}

/** Sets the leaf code at a dotted path, making the groups on the way (a string field has none: shapes leave strings out). */
export function setLeaf(shape: Shape, path: string, code: string): void {
  const segs = path.split('.');
  let node: Shape = shape;
  segs.slice(0, -1).forEach((seg) => {
    let next = node[seg];
    if (Array.isArray(next)) next = next[0];
    if (!next || typeof next !== 'object') node[seg] = next = {};
    node = next;
  });
  node[segs[segs.length - 1]!] = code;
}
