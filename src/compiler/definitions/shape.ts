import type { Shape } from '../../core/model';

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
