import type { Shape } from '../../core/model';
import { SHAPE_CODES } from '../../core/model';
import type { InstanceNode, XFormInfo } from './xform';

/** Field types shaped like the report's `fields` (see Shape in core/model). */
export function shapeOf(x: XFormInfo): Shape {
  const build = (nodes: InstanceNode[]): Shape => {
    const out: Shape = {};
    for (const n of nodes) {
      const name = n.path.slice(n.path.lastIndexOf('.') + 1);
      if (n.children) {
        const inner = build(n.children);
        if (x.groups[n.path]?.repeat) out[name] = [inner];
        else if (Object.keys(inner).length) out[name] = inner;
      } else {
        const type = x.fields[n.path]?.type;
        if (type && type !== 'string') out[name] = SHAPE_CODES[type];
      }
    }
    return out;
  };
  return build(x.tree);
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
