import { children, childText, descendants, nameOf, textOf } from './dom';
import type { Labels } from './types';

/** Labels in every language: the form's itext translations, or its inline labels. */
export interface Itext {
  /** itext languages, the default first; empty when labels are inline. */
  languages: string[];
  /** itext id -> language -> text. */
  texts: Map<string, Labels>;
}

/** itext: id -> language -> text (the plain value, not image/audio forms). */
export function readItext(doc: Document): Itext {
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

/** The label of a control, item or itemset (for an itemset, of its `item` in the secondary instance). */
export function labelOf(itext: Itext, el: Element, item?: Element): Labels | undefined {
  const l = children(el).find((c) => nameOf(c) === 'label');
  if (!l) return undefined;
  const ref = l.getAttribute('ref');
  const inline = (s: string) => (s ? { [itext.languages[0] ?? '']: s } : undefined);
  if (!ref) return inline(textOf(l));
  const fixed = /^\s*jr:itext\(\s*'([^']*)'\s*\)\s*$/.exec(ref) ?? /^\s*jr:itext\(\s*"([^"]*)"\s*\)\s*$/.exec(ref);
  if (fixed) return itext.texts.get(fixed[1]!);
  if (!item) return undefined;
  // Itemset labels: jr:itext(itextId) or a child of the item (`label`).
  const dynamic = /^\s*jr:itext\(\s*([\w-]+)\s*\)\s*$/.exec(ref);
  if (dynamic) return itext.texts.get(childText(item, dynamic[1]!));
  return inline(childText(item, ref.trim()));
}
