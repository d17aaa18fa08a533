import fs from 'node:fs';
import path from 'node:path';
import { bundle, ROOT } from './bundle';
import { checkLoadsLikeCht } from './cht-lib-loader';
import type { Plugin } from 'rollup';
import { fhirpathLibPlugins } from './fhirpath-lib';

/** Only the terminology lib shows translated names; the others ship codes only (phones pay per byte). */
const NEEDS_TRANSLATIONS = new Set(['fhir-terminology.js']);

/** Plugins one lib needs on top of the common ones. */
function libPlugins(name: string): Plugin[] {
  const own = name === 'fhirpath.js' ? fhirpathLibPlugins() : [];
  return [...own, ...(NEEDS_TRANSLATIONS.has(name) ? [] : [withoutTranslations()])];
}

function withoutTranslations(): Plugin {
  return {
    name: 'terminology-without-translations',
    transform(code, id) {
      if (!id.endsWith('/app_settings/fhir/terminology.json')) return null;
      return JSON.stringify(JSON.parse(code), (k, v) => (k === 'translations' ? undefined : v));
    },
  };
}

export const LIB_SOURCES = path.join(ROOT, 'src/extension-libs');
export const LIB_OUTPUT = path.join(ROOT, 'extension-libs');

/** Every `src/extension-libs/<name>.ts` is one lib, `extension-libs/<name>.js`. */
export function libEntries(): string[] {
  return fs
    .readdirSync(LIB_SOURCES)
    .filter((f) => f.endsWith('.ts'))
    .sort()
    .map((f) => path.join(LIB_SOURCES, f));
}

/** Builds every lib in memory and checks each loads the way CHT loads it. */
export async function buildExtensionLibs(): Promise<Map<string, string>> {
  const libs = new Map<string, string>();
  for (const entry of libEntries()) {
    const name = path.basename(entry, '.ts') + '.js';
    let code: string;
    try {
      code = await bundle(entry, { format: 'cjs', plugins: libPlugins(name) });
    } catch (e) {
      throw new Error(`extension lib ${path.relative(ROOT, entry)} failed to build: ${(e as Error).message}`);
    }
    checkLoadsLikeCht(name, code);
    libs.set(name, code + '\n');
  }
  return libs;
}

/**
 * Replaces extension-libs/ only once every lib has built and loaded: a failure
 * leaves the previous folder untouched, never half of one.
 */
export function writeExtensionLibs(libs: Map<string, string>, outDir = LIB_OUTPUT): void {
  const staging = fs.mkdtempSync(path.join(path.dirname(outDir), '.extension-libs-'));
  try {
    // mkdtemp makes the folder 0700; the published folder is readable like any other.
    fs.chmodSync(staging, 0o755);
    for (const [name, code] of libs) fs.writeFileSync(path.join(staging, name), code);
    const old = outDir + '.old';
    fs.rmSync(old, { recursive: true, force: true });
    if (fs.existsSync(outDir)) fs.renameSync(outDir, old);
    fs.renameSync(staging, outDir);
    fs.rmSync(old, { recursive: true, force: true });
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
}
