import fs from 'node:fs';
import path from 'node:path';
import { bundle } from '../../src/compiler/rollup';
import { ROOT } from '../../harness/repo';

/** Bundles every test/browser/**\/*.test.ts into one script karma serves. */
export async function bundleBrowserTests(outFile: string): Promise<string> {
  const dir = path.join(ROOT, 'test/browser');
  const tests = fs
    .readdirSync(dir, { recursive: true })
    .map(String)
    .filter((f) => f.endsWith('.test.ts'))
    .sort();
  const entry = path.join(ROOT, '.build/browser-tests.entry.ts');
  fs.mkdirSync(path.dirname(entry), { recursive: true });
  fs.writeFileSync(entry, tests.map((t) => `import '../test/browser/${t.replace(/\.ts$/, '')}';`).join('\n') + '\n');
  const code = await bundle(entry, {
    format: 'iife',
    minify: false,
    include: ['src/**/*.ts', 'test/**/*.ts', 'harness/**/*.ts', '.build/*.ts'].map((p) => path.join(ROOT, p)),
    types: [path.join(ROOT, 'test/browser/*.d.ts')],
    typePackages: ['node', 'mocha'],
  });
  fs.writeFileSync(outFile, code);
  return outFile;
}
