import { strict as assert } from 'node:assert';
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { ROOT } from '../../harness/repo';

/**
 * The dependency rules of src/, checked on every import (type-only ones
 * too, as madge would): no cycle between files, and each unit imports only
 * the units its rule names. A unit is a folder: the top folders of src/,
 * and each folder under src/runtime/ and src/doubles/ (and
 * compiler/definitions, which reads the config project for the compiler):
 *   core (pure)  <-  compiler/definitions  <-  compiler  <-  cli
 *   core  <-  runtime/* (what runs on sentinel, phones and beside OpenHIM)
 *   doubles/* (the demo's FHIR store, CHT's outbound push as CHT runs it):
 *     imported by cli and tests only, never by a runtime or the compiler
 * with fhir-validation and net as services the receiver uses.
 */
const ALLOWED: Record<string, string[]> = {
  core: [],
  types: ['core'],
  net: [],
  'fhir-validation': ['core'],
  'compiler/definitions': ['core'],
  compiler: ['core', 'compiler/definitions', 'fhir-validation', 'runtime/extension-libs', 'types'],
  'runtime/sentinel': ['core'],
  'runtime/extension-libs': ['core', 'types'],
  'runtime/outbox': ['core'],
  'runtime/receiver': ['core', 'fhir-validation', 'net'],
  'doubles/fhir-store': ['core', 'net'],
  'doubles/cht-outbound-push': ['core', 'compiler'],
  cli: ['core', 'compiler', 'compiler/definitions', 'runtime/receiver', 'fhir-validation', 'net', 'doubles/fhir-store', 'doubles/cht-outbound-push'],
};
/** Folders whose sub-folders are each a unit of their own. */
const GROUPS = ['runtime', 'doubles'];

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

/** The unit a file belongs to: the deepest folder with a rule that holds it. */
const unitOf = (file: string) => {
  const rel = path.relative(SRC, file).split(path.sep).join('/');
  return Object.keys(ALLOWED)
    .filter((u) => rel.startsWith(`${u}/`))
    .sort((a, b) => b.length - a.length)[0];
};

/** The folders that must have a rule: top folders of src/, and each folder in a group. */
function unitFolders(): string[] {
  const dirs = (d: string) => fs.readdirSync(path.join(SRC, d)).filter((f) => fs.statSync(path.join(SRC, d, f)).isDirectory());
  return dirs('').flatMap((top) => (GROUPS.includes(top) ? dirs(top).map((sub) => `${top}/${sub}`) : [top]));
}

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

  it('each unit imports only the units its rule names', () => {
    assert.deepEqual(
      Object.keys(ALLOWED)
        .filter((u) => u !== 'compiler/definitions')
        .sort(),
      unitFolders().sort(),
      'every folder has a rule',
    );
    const wrong = [...graph].flatMap(([f, deps]) =>
      deps
        .filter((d) => unitOf(d) !== unitOf(f) && !ALLOWED[unitOf(f)]?.includes(unitOf(d)))
        .map((d) => `${path.relative(SRC, f)} -> ${path.relative(SRC, d)}`),
    );
    assert.deepEqual(wrong, []);
  });

  it('bench/ and harness/ never import test/: the bench and the tests share harness/, not each other', () => {
    const wrong = ['bench', 'harness'].flatMap((dir) =>
      sources(path.join(ROOT, dir)).flatMap((f) =>
        importsOf(f)
          .filter((d) => d.startsWith(path.join(ROOT, 'test') + path.sep))
          .map((d) => `${path.relative(ROOT, f)} -> ${path.relative(ROOT, d)}`),
      ),
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
      importsOf(path.join(SRC, 'cli/main.ts')).some((d) => unitOf(d) === 'compiler'),
      'require() inside a function is an import too',
    );
  });
});
