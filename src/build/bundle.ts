import { rollup, type Plugin } from 'rollup';
import typescript from '@rollup/plugin-typescript';
import { nodeResolve } from '@rollup/plugin-node-resolve';
import commonjs from '@rollup/plugin-commonjs';
import json from '@rollup/plugin-json';
import terser from '@rollup/plugin-terser';
import fs from 'node:fs';
import path from 'node:path';

import { ROOT } from './paths';
export { ROOT };

export interface BundleOptions {
  /** 'cjs' gives `module.exports = default export` (extension libs); 'iife' gives `var <name> = ...` (outbound expr); 'es' an ES module (browser outbox). */
  format: 'cjs' | 'iife' | 'es';
  name?: string;
  /** Extra plugins placed before resolution (e.g. to inline generated data). */
  plugins?: Plugin[];
  minify?: boolean;
  /** Files the TypeScript plugin compiles (default: src). */
  include?: string[];
  /** Language level of the output (default ES2017, for phones' older WebViews). */
  target?: 'ES2017' | 'ES2020';
}

/**
 * Bundles one TypeScript entry into a single self-contained script: browser
 * builds of dependencies, no require, ASCII only. Type errors fail the build.
 */
export async function bundle(entry: string, opts: BundleOptions): Promise<string> {
  const tsconfig = entryTsconfig(entry);
  const build = await rollup({
    input: entry,
    plugins: [
      ...(opts.plugins ?? []),
      typescript({
        tsconfig,
        compilerOptions: { noEmit: false, noEmitOnError: true, declaration: false, sourceMap: false, target: opts.target ?? 'ES2017' },
        include: opts.include ?? ['src/**/*.ts'],
        noForceEmit: false,
      }),
      json({ preferConst: true, compact: true }),
      nodeResolve({ browser: true, exportConditions: ['browser', 'default', 'module', 'import'], preferBuiltins: false }),
      commonjs(),
      ...(opts.minify === false ? [] : [terser({ format: { ascii_only: true, comments: false }, compress: { passes: 2 }, ecma: opts.target === 'ES2020' ? 2020 : 2017 })]),
    ],
    onwarn(warning) {
      throw new Error(`${entry}: ${warning.message}`);
    },
  });
  try {
    const { output } = await build.generate({
      format: opts.format,
      name: opts.name,
      exports: opts.format === 'cjs' ? 'default' : 'named',
      strict: true,
    });
    return output[0].code;
  } finally {
    await build.close();
  }
}

/**
 * A tsconfig whose program is the entry and what it imports, so a bundle is
 * type-checked on its own code only, not on every file under src/.
 */
function entryTsconfig(entry: string): string {
  const dir = path.join(ROOT, '.build/tsconfig');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, path.relative(ROOT, entry).replace(/[\\/.]/g, '_') + '.json');
  // Ambient declarations (.d.ts) are not imported, so they are listed here.
  const config = { extends: path.join(ROOT, 'tsconfig.json'), files: [entry], include: [path.join(ROOT, 'src/types/*.d.ts'), path.join(ROOT, 'test/**/*.d.ts')] };
  fs.writeFileSync(file, JSON.stringify(config));
  return file;
}
