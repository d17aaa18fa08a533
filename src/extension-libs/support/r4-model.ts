import type { Model } from 'fhirpath/src/fhirpath.js';
import { updateWithGeneratedData, arrToHash } from 'fhirpath/fhir-context/general-additions.js';
import { compact, pathsDefinedElsewhere, resourcesWithUrlParam } from './r4-compact-data';
import { decodeR4 } from './r4-model-codec';

/**
 * The same object as `fhirpath/fhir-context/r4` (a test compares them),
 * rebuilt from the compact data. Built on first use, not when CHT loads
 * the lib: a form that never calls FHIRPath pays nothing.
 */
let model: Model | undefined;

export function r4Model(): Model {
  if (model) return model;
  const maps = decodeR4(compact);
  const m = {
    version: 'r4',
    // As fhirpath's r4 context: the extensions weight() reads.
    score: { extensionURI: ['http://hl7.org/fhir/StructureDefinition/ordinalValue', 'http://hl7.org/fhir/StructureDefinition/itemWeight'] },
    choiceTypePaths: maps.choiceTypePaths,
    pathsDefinedElsewhere: { ...pathsDefinedElsewhere },
    type2Parent: maps.type2Parent,
    path2Type: maps.path2Type,
    path2Repeating: arrToHash(maps.path2Repeating),
    resourcesWithUrlParam: arrToHash(resourcesWithUrlParam),
  };
  updateWithGeneratedData(m);
  return (model = m as unknown as Model);
}
