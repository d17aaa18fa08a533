import fs from 'node:fs';
import path from 'node:path';
import { encodeR4, type CompactR4 } from './r4-model-codec';

/**
 * The R4 model data the FHIRPath lib ships. Run from source (Node, tests),
 * this encodes fhirpath's own JSON files; the lib build replaces this module
 * with its precomputed values (src/build/fhirpath-lib.ts), so phones get the
 * compact text, never the JSON. The files are read, not imported: importing
 * shares the objects fhirpath/fhir-context/r4 rewrites in place when loaded.
 */
const dir = path.dirname(require.resolve('fhirpath/fhir-context/r4/path2Type.json'));
const read = (name: string) => JSON.parse(fs.readFileSync(path.join(dir, name + '.json'), 'utf8'));

export const pathsDefinedElsewhere: Record<string, string> = read('pathsDefinedElsewhere');
export const resourcesWithUrlParam: string[] = read('resourcesWithUrlParam');
export const compact: CompactR4 = encodeR4({
  path2Type: read('path2Type'),
  path2Repeating: read('path2Repeating'),
  choiceTypePaths: read('choiceTypePaths'),
  type2Parent: read('type2Parent'),
});
