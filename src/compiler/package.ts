import fs from 'node:fs';
import path from 'node:path';
import { bundle, PKG } from './rollup';
import { buildOutbox } from './outbox';
import { buildTrimmed, fullStructures, PREBUILT_FILE } from '../fhir-validation/trimmed-definitions';

/**
 * `npm run compile` (and `npm pack`): this package's own artifacts, the same
 * for every deployment:
 * - dist/browser/cht-fhir-outbox.js, the browser outbox as one ES module;
 * - dist/receiver/, the receiver as plain JavaScript: receiver.js (every
 *   dependency bundled in) and the trimmed R4 definitions it validates with.
 *   With the model `cht-fhir build` writes, it is all a receiver host needs:
 *   `node receiver.js --model model.json`.
 * `entry` is for the bench only (the receiver with its embedded store in process).
 */
export async function buildReceiver(outDir: string, entry = path.join(PKG, 'src/runtime/receiver/bin.ts')): Promise<string[]> {
  const include = [path.join(PKG, 'src/**/*.ts'), entry];
  const code = await bundle(entry, { format: 'cjs', platform: 'node', minify: false, target: 'ES2022', include });
  fs.mkdirSync(outDir, { recursive: true });
  fs.writeFileSync(path.join(outDir, 'receiver.js'), '#!/usr/bin/env node\n' + code);
  fs.writeFileSync(path.join(outDir, PREBUILT_FILE), JSON.stringify(buildTrimmed(fullStructures())));
  return ['receiver.js', PREBUILT_FILE].map((f) => path.join(outDir, f));
}

async function main() {
  const outbox = path.join(PKG, 'dist/browser/cht-fhir-outbox.js');
  fs.mkdirSync(path.dirname(outbox), { recursive: true });
  fs.writeFileSync(outbox, await buildOutbox());
  const receiver = await buildReceiver(path.join(PKG, 'dist/receiver'));
  for (const f of [outbox, ...receiver]) console.log(`${path.relative(PKG, f)}  ${fs.statSync(f).size} bytes`);
}

if (require.main === module) {
  main().catch((e) => {
    console.error(`compile failed: ${(e as Error).message}`);
    process.exit(1);
  });
}
