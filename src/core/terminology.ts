import type { CodeableConcept } from 'fhir/r4';

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

export function codeableConcept(c: Concept): CodeableConcept {
  return c.system && c.code ? { coding: [{ system: c.system, code: c.code, display: c.display }], text: c.display } : { text: c.text };
}

/** Display in a language when the table has it, else the default display. */
export function displayOf(c: Concept | Unit, lang?: string): string {
  const t = lang && c.translations && Object.prototype.hasOwnProperty.call(c.translations, lang) ? c.translations[lang] : undefined;
  return t ?? ('text' in c && c.text ? c.text : c.display) ?? '';
}
