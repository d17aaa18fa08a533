import { rollup, type Plugin } from 'rollup';
import typescript from '@rollup/plugin-typescript';
import { nodeResolve } from '@rollup/plugin-node-resolve';
import commonjs from '@rollup/plugin-commonjs';
import json from '@rollup/plugin-json';
import terser from '@rollup/plugin-terser';
import fs from 'node:fs';
import path from 'node:path';
import { builtinModules } from 'node:module';

import { PKG } from './paths';
export { PKG };

export interface BundleOptions {
  /** 'cjs' gives `module.exports = default export` (extension libs); 'iife' gives `var <name> = ...` (outbound expr); 'es' an ES module (browser outbox). */
  format: 'cjs' | 'iife' | 'es';
  name?: string;
  /** Extra plugins placed before resolution (e.g. to inline generated data). */
  plugins?: Plugin[];
  minify?: boolean;
  /** Files the TypeScript plugin compiles (default: this package's src). */
  include?: string[];
  /** Ambient declarations (.d.ts) to add to src/types (e.g. tests' own). */
  types?: string[];
  /** @types packages (default node only: devDependencies such as mocha's are absent where the tool is installed). */
  typePackages?: string[];
  /** Language level of the output (default ES2017, for phones' older WebViews). */
  target?: 'ES2017' | 'ES2020' | 'ES2022';
  /** 'node' bundles for a Node process (the compiled receiver): Node builds of dependencies, Node's own modules left as require. */
  platform?: 'browser' | 'node';
}

/**
 * Bundles one TypeScript entry into a single self-contained script: browser
 * builds of dependencies, no require, ASCII only. Type errors fail the build.
 */
export async function bundle(entry: string, opts: BundleOptions): Promise<string> {
  const node = opts.platform === 'node';
  const tsconfig = entryTsconfig(entry, opts.types ?? [], opts.typePackages ?? ['node']);
  const build = await rollup({
    input: entry,
    external: node ? (id) => id.startsWith('node:') || builtinModules.includes(id) : undefined,
    plugins: [
      ...(opts.plugins ?? []),
      typescript({
        tsconfig,
        compilerOptions: { noEmit: false, noEmitOnError: true, declaration: false, sourceMap: false, target: opts.target ?? 'ES2017' },
        include: opts.include ?? [path.join(PKG, 'src/**/*.ts')],
        noForceEmit: false,
      }),
      json({ preferConst: true, compact: true }),
      node
        ? nodeResolve({ exportConditions: ['node', 'require', 'default'], preferBuiltins: true })
        : nodeResolve({ browser: true, exportConditions: ['browser', 'default', 'module', 'import'], preferBuiltins: false }),
      commonjs(),
      ...(opts.minify === false
        ? []
        : // Single quotes: the outbound expr is stored as a JSON string, where every double quote costs a backslash.
          [terser({ format: { ascii_only: true, comments: false, quote_style: 1 }, compress: { passes: 2 }, ecma: opts.target === 'ES2020' ? 2020 : 2017 })]),
    ],
    onwarn(warning) {
      // Dependencies' own circular imports and `this` at module level are theirs, and harmless in Node.
      if (node && (warning.code === 'CIRCULAR_DEPENDENCY' || warning.code === 'THIS_IS_UNDEFINED' || warning.code === 'EVAL')) return;
      throw new Error(`${entry}: ${warning.message}`);
    },
  });
  try {
    const { output } = await build.generate({
      format: opts.format,
      name: opts.name,
      exports: node ? 'auto' : opts.format === 'cjs' ? 'default' : 'named',
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
function entryTsconfig(entry: string, types: string[], typePackages: string[]): string {
  const dir = path.join(PKG, '.build/tsconfig');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, path.relative(PKG, entry).replace(/[\\/.]/g, '_') + '.json');
  // Ambient declarations (.d.ts) are not imported, so they are listed here.
  const config = {
    extends: path.join(PKG, 'tsconfig.json'),
    compilerOptions: { types: typePackages },
    files: [entry],
    include: [path.join(PKG, 'src/types/*.d.ts'), ...types],
  };
  fs.writeFileSync(file, JSON.stringify(config));
  return file;
}
