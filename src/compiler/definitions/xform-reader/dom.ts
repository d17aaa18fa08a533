/** Reading the XForm's XML: elements by local name, their text, and node references as dotted paths. */

export const nameOf = (el: Element) => el.localName ?? el.nodeName;

export function children(el: Element): Element[] {
  const out: Element[] = [];
  for (let n = el.firstChild; n; n = n.nextSibling) if (n.nodeType === 1) out.push(n as Element);
  return out;
}

export function descendants(el: Element | Document, local: string): Element[] {
  const list = el.getElementsByTagName('*');
  const out: Element[] = [];
  for (const node of Array.from(list)) if (nameOf(node) === local) out.push(node);
  return out;
}

export const squash = (s: string) => s.replace(/\s+/g, ' ').trim();

/** Text of a label or itext value; `<output value="/f/x"/>` shows as `{x}`. */
export function textOf(el: Element): string {
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

/** The text of the element's child of that name, squashed; `''` when it has none. */
export function childText(el: Element, name: string): string {
  const c = children(el).find((x) => nameOf(x) === name);
  return c ? squash(c.textContent ?? '') : '';
}

/** Resolves an XPath node reference (absolute, or relative to `context`) to a dotted path under the root. */
export function resolvePath(ref: string, context: string[], root: string): string | undefined {
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
