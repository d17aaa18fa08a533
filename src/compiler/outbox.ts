import fs from 'node:fs';
import path from 'node:path';
import { bundle, PKG } from './rollup';

/** The browser outbox as one self-contained, minified ES module (idb bundled in). Not committed: built by `npm run build`. */
export const OUTBOX_ENTRY = path.join(PKG, 'src/runtime/outbox/index.ts');
export const OUTBOX_OUTPUT = path.join(PKG, 'dist/browser/cht-fhir-outbox.js');

export async function buildOutbox(): Promise<string> {
  const code = await bundle(OUTBOX_ENTRY, { format: 'es' });
  if (/^\s*import\b|\bimport\s*\(|\brequire\s*\(/m.test(code)) throw new Error('outbox bundle still imports something: it must be self-contained');
  return code + '\n';
}

/** Writes a built module; returns a line for the build log. */
export function writeOutbox(code: string, outFile = OUTBOX_OUTPUT): string {
  fs.mkdirSync(path.dirname(outFile), { recursive: true });
  fs.writeFileSync(outFile, code);
  return `${path.relative(PKG, outFile)}  ${code.length} bytes`;
}
