import * as ucum from '@lhncbc/ucum-lhc';
import type { CompactConcept } from '../../../core/model';
import type { Terminology } from '../../../core/terminology';
import type { ConceptRef } from '../files';

export const ucumUtils = () => ucum.UcumLhcUtils.getInstance();

/**
 * Concepts the model carries once, by key, compactly (CompactConcept); a
 * Coding written out gets the key `system|code`. Translations stay out:
 * sentinel never needs them, the phone libs carry their own table.
 */
export class ConceptTable {
  readonly systems: string[] = [];
  readonly concepts: Record<string, CompactConcept> = {};
  constructor(private readonly terms: Terminology) {}

  private add(key: string, system: string, code: string, display?: string) {
    let i = this.systems.indexOf(system);
    if (i < 0) i = this.systems.push(system) - 1;
    this.concepts[key] ??= display ? [i, code, display] : [i, code];
  }

  key(ref: ConceptRef, where: string, problems: string[]): string {
    if (typeof ref !== 'string') {
      const key = ref.system + '|' + ref.code;
      this.add(key, ref.system ?? '', ref.code ?? '', ref.display);
      return key;
    }
    const c = Object.prototype.hasOwnProperty.call(this.terms.concepts, ref) ? this.terms.concepts[ref] : undefined;
    if (!c) problems.push(`${where}: '${ref}' is not a concept in app_settings/fhir/terminology.json (add it there, or write the coding out)`);
    else if (c.system && c.code) this.add(ref, c.system, c.code, c.display);
    else this.concepts[ref] ??= c.text ?? ref;
    return ref;
  }
}

/** Whether UCUM knows the unit. */
export function isUcum(unit: string): boolean {
  return ucumUtils().validateUnitString(unit).status === 'valid';
}

/** A unit as the model carries it: the UCUM code and its display (the terminology's, else the code). */
export function unitWithDisplay(terms: Terminology, unit: string): [string, string] {
  return [unit, terms.units?.[unit]?.display ?? unit];
}
