import fs from 'node:fs';
import path from 'node:path';
import { encodeR4, type CompactR4, type R4Maps } from './r4-model-codec';

/**
 * The R4 model data the FHIRPath lib ships. Run from source (Node, tests),
 * this encodes fhirpath's own JSON files; the lib build replaces this module
 * with its precomputed values (src/compiler/fhirpath-lib.ts), so phones get the
 * compact text, never the JSON. The files are read, not imported: importing
 * shares the objects fhirpath/fhir-context/r4 rewrites in place when loaded.
 */
const dir = path.dirname(require.resolve('fhirpath/fhir-context/r4/path2Type.json'));
const read = <T>(name: string): T => JSON.parse(fs.readFileSync(path.join(dir, name + '.json'), 'utf8')) as T;

export const pathsDefinedElsewhere = read<Record<string, string>>('pathsDefinedElsewhere');
export const resourcesWithUrlParam = read<string[]>('resourcesWithUrlParam');
export const compact: CompactR4 = encodeR4({
  path2Type: read<R4Maps['path2Type']>('path2Type'),
  path2Repeating: read<R4Maps['path2Repeating']>('path2Repeating'),
  choiceTypePaths: read<R4Maps['choiceTypePaths']>('choiceTypePaths'),
  type2Parent: read<R4Maps['type2Parent']>('type2Parent'),
});
