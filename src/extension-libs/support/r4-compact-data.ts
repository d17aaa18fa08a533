import path2Type from 'fhirpath/fhir-context/r4/path2Type.json';
import path2Repeating from 'fhirpath/fhir-context/r4/path2Repeating.json';
import choiceTypePaths from 'fhirpath/fhir-context/r4/choiceTypePaths.json';
import type2ParentJson from 'fhirpath/fhir-context/r4/type2Parent.json';
import pathsDefinedElsewhereJson from 'fhirpath/fhir-context/r4/pathsDefinedElsewhere.json';
import resourcesWithUrlParamJson from 'fhirpath/fhir-context/r4/resourcesWithUrlParam.json';
import { encodeR4, type CompactR4, type TypeEntry } from './r4-model-codec';

/**
 * The R4 model data the FHIRPath lib ships. Run from source (Node, tests),
 * this encodes fhirpath's own JSON files; the lib build replaces this module
 * with its precomputed values (src/build/fhirpath-lib.ts), so phones get the
 * compact text, never the JSON.
 */
export const pathsDefinedElsewhere: Record<string, string> = pathsDefinedElsewhereJson;
export const resourcesWithUrlParam: string[] = resourcesWithUrlParamJson;
export const compact: CompactR4 = encodeR4({
  path2Type: path2Type as Record<string, TypeEntry>,
  path2Repeating,
  choiceTypePaths,
  type2Parent: type2ParentJson,
});
