import { strict as assert } from 'node:assert';
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { ROOT } from '../support/repo';

/**
 * The dependency rules of src/, checked on every import (type-only ones
 * too, as madge would): no cycle between files, and each folder imports
 * only the folders below it:
 *   core (pure) <- definitions (the config project) <- build / receiver / outbox / cli,
 * with fhir-validation, fhir-server and net as runtime services, and runtime
 * code never importing build, cli or test code.
 */
const ALLOWED: Record<string, string[]> = {
  core: [],
  types: ['core'],
  net: [],
  'fhir-validation': ['core'],
  'fhir-server': ['core', 'net'],
  definitions: ['core'],
  outbound: ['core', 'definitions'],
  'extension-libs': ['core', 'types'],
  outbox: ['core'],
  receiver: ['core', 'fhir-validation', 'fhir-server', 'net'],
  build: ['core', 'definitions', 'outbound', 'fhir-validation', 'extension-libs', 'types'],
  cli: ['core', 'definitions', 'build', 'outbound', 'receiver', 'fhir-validation', 'fhir-server', 'net'],
};

const SRC = path.join(ROOT, 'src');

function sources(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((d) =>
      d.isDirectory() ? sources(path.join(dir, d.name)) : d.name.endsWith('.ts') && !d.name.endsWith('.test.ts') ? [path.join(dir, d.name)] : [],
    );
}

/** Relative imports of a file (import, export from, require, import()), resolved to files. */
function importsOf(file: string): string[] {
  const info = ts.preProcessFile(fs.readFileSync(file, 'utf8'), true, true);
  return info.importedFiles
    .map((i) => i.fileName)
    .filter((f) => f.startsWith('.'))
    .map((f) => {
      const base = path.resolve(path.dirname(file), f);
      const found = [base, `${base}.ts`, `${base}.d.ts`, path.join(base, 'index.ts')].find((c) => fs.existsSync(c) && fs.statSync(c).isFile());
      return found ?? base;
    });
}

const folderOf = (file: string) => path.relative(SRC, file).split(path.sep)[0];

/** Every cycle a depth-first walk meets, as the files on it (first file repeated at the end). */
function cyclesOf(graph: Map<string, string[]>): string[][] {
  const cycles: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (f: string) => {
    state.set(f, 'open');
    stack.push(f);
    for (const d of graph.get(f) ?? []) {
      if (state.get(d) === 'open') cycles.push([...stack.slice(stack.indexOf(d)), d]);
      else if (!state.has(d) && graph.has(d)) visit(d);
    }
    stack.pop();
    state.set(f, 'done');
  };
  for (const f of graph.keys()) if (!state.has(f)) visit(f);
  return cycles;
}

describe('source structure', () => {
  const files = sources(SRC);
  const graph = new Map(files.map((f) => [f, importsOf(f)]));

  it('every relative import resolves to a file of src/ (nothing reaches into test/, bench/ or the config project)', () => {
    const outside = [...graph].flatMap(([f, deps]) =>
      deps.filter((d) => !d.startsWith(SRC + path.sep) || !fs.existsSync(d)).map((d) => `${path.relative(ROOT, f)} -> ${path.relative(ROOT, d)}`),
    );
    assert.deepEqual(outside, []);
  });

  it('each folder imports only the folders below it', () => {
    assert.deepEqual(
      Object.keys(ALLOWED).sort(),
      fs
        .readdirSync(SRC)
        .filter((d) => fs.statSync(path.join(SRC, d)).isDirectory())
        .sort(),
      'every folder has a rule',
    );
    const wrong = [...graph].flatMap(([f, deps]) =>
      deps
        .filter((d) => folderOf(d) !== folderOf(f) && !ALLOWED[folderOf(f)]?.includes(folderOf(d)))
        .map((d) => `${path.relative(SRC, f)} -> ${path.relative(SRC, d)}`),
    );
    assert.deepEqual(wrong, []);
  });

  it('no import cycle between files', () => {
    assert.deepEqual(
      cyclesOf(graph).map((c) => c.map((x) => path.relative(SRC, x)).join(' > ')),
      [],
    );
  });

  it('the checks see what they look for: a made-up cycle, a lazy require', () => {
    assert.deepEqual(
      cyclesOf(
        new Map([
          ['a', ['b']],
          ['b', ['c']],
          ['c', ['a']],
          ['d', ['a']],
        ]),
      ),
      [['a', 'b', 'c', 'a']],
    );
    assert.deepEqual(
      cyclesOf(
        new Map([
          ['a', ['b']],
          ['b', []],
        ]),
      ),
      [],
    );
    assert.ok(
      importsOf(path.join(SRC, 'cli/main.ts')).some((d) => folderOf(d) === 'build'),
      'require() inside a function is an import too',
    );
  });
});
