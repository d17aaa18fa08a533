import fs from 'node:fs';
import path from 'node:path';
import type { Plugin } from 'rollup';
import { bundle, PKG } from './rollup';
import { checkLoadsLikeCht } from './cht-lib-loader';
import { fhirpathLibPlugins } from './fhirpath-lib';
import { writeIfChanged } from './owned-files';
import type { Compiled } from './definitions/compile';
import type { Terminology } from '../core/terminology';
import { packTerminology } from '../core/terminology-pack';
import type { Project } from './definitions/project';
import { DefinitionError } from './definitions/load';
import { filesIn } from './definitions/folder';

const LIB_SOURCES = path.join(PKG, 'src/runtime/extension-libs');

/** Every `src/runtime/extension-libs/<name>.ts` is one lib, `<name>.js`: the names this tool owns in a project's extension-libs/. */
export const LIB_NAMES: readonly string[] = filesIn(LIB_SOURCES, '.ts').map((f) => f.replace(/\.ts$/, '.js'));

/** Only the terminology lib shows translated names; the others ship codes only (phones pay per byte). */
const NEEDS_TRANSLATIONS = new Set(['fhir-terminology.js']);

/**
 * Which of our libs the project uses, and who uses each (for the build log).
 * A call to a lib that is neither ours nor in extension-libs/ would fail on
 * every phone: it fails the build instead, naming the callers.
 */
export function libsUsed(project: Project, asked: readonly string[] = []): Map<string, string[]> {
  const used = new Map<string, string[]>();
  const missing = new Map<string, string[]>();
  const note = (name: string, by: string) => {
    const into = LIB_NAMES.includes(name) ? used : fs.existsSync(path.join(project.libsDir, name)) ? undefined : missing;
    into?.set(name, [...(into.get(name) ?? []), by]);
  };
  for (const name of asked) note(name, 'app_settings/fhir/settings.json');
  for (const dir of ['forms/app', 'forms/contact']) {
    const abs = path.join(project.root, dir);
    for (const f of filesIn(abs, '.xml')) {
      // cht:extension-lib('name.js', ...) in binds; quotes may be escaped in XML.
      for (const m of fs.readFileSync(path.join(abs, f), 'utf8').matchAll(/extension-lib\(\s*(?:'|"|&apos;|&quot;)([^'"&]+)/g)) note(m[1]!, `${dir}/${f}`);
    }
  }
  for (const f of ['tasks.js', 'targets.js', 'contact-summary.templated.js']) {
    const file = path.join(project.root, f);
    if (!fs.existsSync(file)) continue;
    for (const m of fs.readFileSync(file, 'utf8').matchAll(/getExtensionLib\(\s*['"`]([^'"`]+)/g)) note(m[1]!, f);
  }
  if (missing.size) {
    throw new DefinitionError(
      [...missing].map(
        ([name, by]) =>
          `${by.join(', ')}: calls the extension lib '${name}', which is not in extension-libs/ and not one of cht-fhir's (${LIB_NAMES.join(', ')})`,
      ),
    );
  }
  return used;
}

/** Builds the named libs in memory with the deployment's data inlined, and checks each loads the way CHT loads it. */
export async function buildExtensionLibs(compiled: Compiled, names: Iterable<string> = LIB_NAMES): Promise<Map<string, string>> {
  const libs = new Map<string, string>();
  for (const name of [...names].sort()) {
    if (!LIB_NAMES.includes(name)) throw new Error(`'${name}' is not an extension lib of cht-fhir (there are ${LIB_NAMES.join(', ')})`);
    const entry = path.join(LIB_SOURCES, name.replace(/\.js$/, '.ts'));
    let code: string;
    try {
      code = await bundle(entry, {
        format: 'cjs',
        plugins: [projectData(compiled, NEEDS_TRANSLATIONS.has(name)), ...(name === 'fhirpath.js' ? fhirpathLibPlugins() : [])],
      });
    } catch (e) {
      throw new Error(`extension lib ${name} failed to build: ${(e as Error).message}`);
    }
    checkLoadsLikeCht(name, code);
    libs.set(name, code + '\n');
  }
  return libs;
}

/** `cht-fhir:deployment` and `cht-fhir:terminology`: the project's data as modules (src/types/cht-fhir-project.d.ts). */
function projectData(compiled: Compiled, translations: boolean): Plugin {
  const data: Record<string, unknown> = {
    'cht-fhir:deployment': compiled.model.deployment,
    'cht-fhir:terminology': packTerminology(
      translations
        ? compiled.terminology
        : (JSON.parse(JSON.stringify(compiled.terminology, (k, v: unknown) => (k === 'translations' ? undefined : v))) as Terminology),
    ),
  };
  return {
    name: 'cht-fhir-project-data',
    resolveId: (id) => (id in data ? `\0${id}` : null),
    load: (id) => (id.startsWith('\0') && id.slice(1) in data ? `export default ${JSON.stringify(data[id.slice(1)])};` : null),
  };
}

/**
 * Writes the built libs into the project's extension-libs/ and removes libs
 * of ours it no longer uses. Files that are not ours are never touched.
 */
export function writeExtensionLibs(libs: Map<string, string>, dir: string): { written: string[]; removed: string[] } {
  const written: string[] = [];
  const removed: string[] = [];
  for (const name of LIB_NAMES) {
    const file = path.join(dir, name);
    const code = libs.get(name);
    if (code === undefined) {
      if (fs.existsSync(file)) {
        fs.rmSync(file);
        removed.push(name);
      }
      continue;
    }
    if (writeIfChanged(file, code)) written.push(name);
  }
  return { written, removed };
}
