import type { Concept, Terminology, Unit } from './terminology';

/**
 * The terminology table as the extension libs carry it. Every phone
 * downloads it, and written out as objects it repeats each property name
 * and system URI per concept. Packed, a concept is a row by position (ROW),
 * systems and categories are numbers naming an entry of `strings`, and
 * translations are listed in the order of `languages`.
 * `unpackTerminology(packTerminology(t))` is `t`.
 */
export interface PackedTerminology {
  /** The systems and categories, each once; a row names one by its position + 1. */
  strings: string[];
  /** The translation languages, in the order of every row's translations. */
  languages: string[];
  /** Concept key -> row (ROW); a missing element is 0, trailing ones are left off. */
  concepts: Record<string, PackedConcept>;
  /** Unit code -> [display, translations?]. */
  units?: Record<string, PackedUnit>;
}

/** Translations in the order of `languages`; 0 where a language has none. */
export type PackedTranslations = Array<string | 0>;
export type PackedConcept = Array<string | number | PackedTranslations>;
export type PackedUnit = [string] | [string, PackedTranslations];

/** A row's elements, in order: `text` last, as most concepts have a code and display instead. */
const ROW = ['system', 'code', 'display', 'category', 'translations', 'text'] as const;
const POOLED = new Set<string>(['system', 'category']);

export function packTerminology(t: Terminology): PackedTerminology {
  const strings: string[] = [];
  const pooled = (s: string): number => {
    if (!strings.includes(s)) strings.push(s);
    return strings.indexOf(s) + 1;
  };
  const languages: string[] = [];
  for (const c of [...Object.values(t.concepts), ...Object.values(t.units ?? {})])
    for (const lang of Object.keys(c.translations ?? {}).sort()) if (!languages.includes(lang)) languages.push(lang);
  const translations = (tr: Record<string, string>): PackedTranslations =>
    trimmed(languages.map((l) => (Object.prototype.hasOwnProperty.call(tr, l) ? tr[l]! : 0)));

  const concepts: Record<string, PackedConcept> = {};
  for (const [key, c] of Object.entries(t.concepts)) {
    concepts[key] = trimmed(
      ROW.map((f) => {
        const v = c[f];
        return v === undefined ? 0 : typeof v === 'object' ? translations(v) : POOLED.has(f) ? pooled(v) : v;
      }),
    );
  }
  const packed: PackedTerminology = { strings, languages, concepts };
  if (t.units) {
    const units: Record<string, PackedUnit> = {};
    for (const [code, u] of Object.entries(t.units)) units[code] = u.translations ? [u.display, translations(u.translations)] : [u.display];
    packed.units = units;
  }
  return packed;
}

export function unpackTerminology(p: PackedTerminology): Terminology {
  const translations = (row: PackedTranslations): Record<string, string> => {
    const out: Record<string, string> = {};
    row.forEach((v, i) => {
      if (v !== 0) out[p.languages[i]!] = v;
    });
    return out;
  };
  const concepts: Record<string, Concept> = {};
  for (const key of Object.keys(p.concepts)) {
    const c: Concept = {};
    // Only pooled elements are numbers, only translations are arrays.
    p.concepts[key]!.forEach((v, i) => {
      if (v === 0) return;
      const f = ROW[i]!;
      if (f === 'translations') c.translations = translations(v as PackedTranslations);
      else c[f] = typeof v === 'number' ? p.strings[v - 1] : (v as string);
    });
    concepts[key] = c;
  }
  const t: Terminology = { concepts };
  if (p.units) {
    const units: Record<string, Unit> = {};
    for (const code of Object.keys(p.units)) {
      const [display, row] = p.units[code]!;
      units[code] = row ? { display, translations: translations(row) } : { display };
    }
    t.units = units;
  }
  return t;
}

function trimmed<T>(row: Array<T | 0>): Array<T | 0> {
  while (row.length && row[row.length - 1] === 0) row.pop();
  return row;
}
