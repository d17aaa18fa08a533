import { children, childText, nameOf, resolvePath } from './dom';
import { labelOf, type Itext } from './itext';
import type { Choice, XFormField, XFormGroup } from './types';

/** The body: controls (relative refs resolve against their group), labels, appearances, choices. */

const CONTROLS = ['input', 'select', 'select1', 'upload', 'trigger', 'range', 'rank', 'odk:rank'];

/** What reading the body needs: the instance found so far, the secondary instances, the labels. */
export interface BodyContext {
  rootName: string;
  fields: Record<string, XFormField>;
  groups: Record<string, XFormGroup>;
  instances: Element[];
  itext: Itext;
}

export function readBody(ctx: BodyContext, el: Element, context: string[]): void {
  for (const c of children(el)) {
    const tag = c.nodeName;
    // xmldom answers '' for a missing attribute, not null.
    const ref = c.getAttribute('ref') || c.getAttribute('nodeset') || '';
    const path = ref ? resolvePath(ref, context, ctx.rootName) : undefined;
    if ((tag === 'group' || tag === 'repeat') && path !== undefined) {
      const g = ctx.groups[path];
      const label = labelOf(ctx.itext, c);
      if (g && label && !g.label) g.label = label;
      readBody(ctx, c, path ? path.split('.') : []);
    } else if (CONTROLS.indexOf(tag) >= 0 && path !== undefined && ctx.fields[path]) readControl(ctx, c, tag, ctx.fields[path]);
    else readBody(ctx, c, context);
  }
}

/** A control: its field is answered or shown, with its label, appearance and choices. */
function readControl(ctx: BodyContext, c: Element, tag: string, f: XFormField): void {
  f.control = true;
  const label = labelOf(ctx.itext, c);
  if (label) f.label = label;
  const appearance = c.getAttribute('appearance');
  if (appearance) f.appearance = appearance;
  if (tag === 'select' || tag === 'select1') {
    f.type = tag;
    f.choices = choicesOf(ctx, c);
  }
}

/**
 * Inline `<item>`s, or an `<itemset>` over a secondary instance: every item
 * of that instance (a choice filter narrows the list at run time, not the
 * values a report can hold). Undefined when the instance is external.
 */
function choicesOf(ctx: BodyContext, select: Element): Choice[] | undefined {
  const itemset = children(select).find((c) => nameOf(c) === 'itemset');
  if (!itemset) {
    return children(select)
      .filter((c) => nameOf(c) === 'item')
      .map((item) => choice(childText(item, 'value'), labelOf(ctx.itext, item)))
      .filter((c) => c.value);
  }
  const m = /instance\(\s*['"]([^'"]+)['"]\s*\)((?:\/[\w\-:]+(?:\[[^\]]*\])?)*)/.exec(itemset.getAttribute('nodeset') ?? '');
  const source = m && ctx.instances.find((i) => i.getAttribute('id') === m[1]);
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
  return nodes.map((item) => choice(childText(item, valueRef), labelOf(ctx.itext, itemset, item))).filter((c) => c.value);
}

function choice(value: string, label: Choice['label']): Choice {
  return label ? { value, label } : { value };
}
