import type { CodeableConcept, Coding } from 'fhir/r4';
import type { MappingModel } from './model';
import { own } from './values';

/**
 * The curated concept table (app_settings/fhir/terminology.json): one place
 * for the codes the mappings and the phone libs use, with translations.
 */
export interface Concept {
  system?: string;
  code?: string;
  display?: string;
  /** For concepts with no code in a standard system: text only. */
  text?: string;
  category?: string;
  translations?: Record<string, string>;
}

export interface Unit {
  display: string;
  translations?: Record<string, string>;
}

export interface Terminology {
  concepts: Record<string, Concept>;
  units?: Record<string, Unit>;
}

/** A concept of the compiled model (see CompactConcept) as FHIR; an unknown key stays text. */
export function conceptOf(model: Pick<MappingModel, 'systems' | 'concepts'>, key: string): CodeableConcept {
  const c = own(model.concepts, key);
  if (c === undefined) return { text: key };
  if (typeof c === 'string') return { text: c };
  const coding: Coding = { system: model.systems[c[0]], code: c[1] };
  if (c[2]) coding.display = c[2];
  return c[2] ? { coding: [coding], text: c[2] } : { coding: [coding] };
}

export function codeableConcept(c: Concept): CodeableConcept {
  return c.system && c.code ? { coding: [{ system: c.system, code: c.code, display: c.display }], text: c.display } : { text: c.text };
}

/** Display in a language when the table has it, else the default display. */
export function displayOf(c: Concept | Unit, lang?: string): string {
  const t = lang && c.translations && Object.prototype.hasOwnProperty.call(c.translations, lang) ? c.translations[lang] : undefined;
  return t ?? ('text' in c && c.text ? c.text : c.display) ?? '';
}
