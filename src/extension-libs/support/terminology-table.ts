import packed from 'cht-fhir:terminology';
import type { Concept, Terminology, Unit } from '../../core/terminology';
import { unpackTerminology } from '../../core/terminology-pack';

/** The curated terminology, inlined into the libs at build time (packed: phones pay per byte). */
export const terminology: Terminology = unpackTerminology(packed);

export function concept(key: string): Concept | undefined {
  return Object.prototype.hasOwnProperty.call(terminology.concepts, key) ? terminology.concepts[key] : undefined;
}

export function unit(code: string): Unit | undefined {
  const units = terminology.units ?? {};
  return Object.prototype.hasOwnProperty.call(units, code) ? units[code] : undefined;
}
