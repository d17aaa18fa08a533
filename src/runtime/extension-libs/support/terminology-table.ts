import packed from 'cht-fhir:terminology';
import type { Concept, Terminology, Unit } from '../../../core/terminology';
import { unpackTerminology } from '../../../core/terminology-pack';
import { own } from '../../../core/values';

/** The curated terminology, inlined into the libs at build time (packed: phones pay per byte). */
export const terminology: Terminology = unpackTerminology(packed);

export function concept(key: string): Concept | undefined {
  return own(terminology.concepts, key);
}

export function unit(code: string): Unit | undefined {
  return own(terminology.units, code);
}
