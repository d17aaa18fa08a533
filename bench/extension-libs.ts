import fs from 'node:fs';
import { ROOT } from '../harness/repo';
import path from 'node:path';
import zlib from 'node:zlib';
import { loadLikeCht } from '../src/compiler/cht-lib-loader';
import { libsBenchPage, type PageLib } from './extension-libs-page';
import { chromiumPage } from './chromium-page';

export interface LibBench {
  name: string;
  minifiedBytes: number;
  gzipBytes: number;
  loadMs: number;
  firstCallMs: number;
  callMs: number;
}

const str = (v: string) => ({ t: 'str', v });

/** One call per lib, as a form makes it. */
function representativeArgs(name: string, observation: string): unknown[] {
  switch (name) {
    case 'fhir-id.js':
      return [str('uuid:11111111-2222-4333-8444-555555555555'), str('Encounter')];
    case 'fhir-build.js':
      return ['observation', 'body-weight', '62.5', 'kg', 'uuid:11111111-2222-4333-8444-555555555555', 'woman-1'].map(str);
    case 'fhir-terminology.js':
      return [str('display'), str('body-weight'), str('fr')];
    case 'fhirpath.js':
      return [str('Observation.value.value'), str(observation)];
    default:
      return [str('')];
  }
}

const kb = (n: number) => (n / 1024).toFixed(1) + ' KB';

/**
 * For every built lib in extension-libs/: minified and gzip size, and in
 * headless Chromium the time CHT's load step takes (atob + new Function) and
 * the time of one representative call, with the targets beside.
 */
export async function benchExtensionLibs(log: (line: string) => void = console.log): Promise<LibBench[]> {
  const LIB_OUTPUT = path.join(ROOT, 'extension-libs');
  const names = fs
    .readdirSync(LIB_OUTPUT)
    .filter((f) => f.endsWith('.js'))
    .sort();
  const code = new Map(names.map((n) => [n, fs.readFileSync(path.join(LIB_OUTPUT, n), 'latin1')]));
  const build = code.has('fhir-build.js') ? (loadLikeCht(code.get('fhir-build.js') as string) as (...a: string[]) => string) : undefined;
  const observation = build ? build('observation', 'body-weight', '62.5', 'kg', 'uuid:1', 'woman-1') : '{}';
  const libs: PageLib[] = names.map((name) => ({
    name,
    base64: Buffer.from(code.get(name) as string, 'latin1').toString('base64'),
    args: representativeArgs(name, observation),
  }));

  const page = await chromiumPage();
  try {
    const r = await page.run(libsBenchPage(libs));
    const timings = new Map((r.libs as Array<Omit<LibBench, 'minifiedBytes' | 'gzipBytes'>>).map((l) => [l.name, l]));
    const out: LibBench[] = names.map((name) => {
      const c = code.get(name) as string;
      const t = timings.get(name) as Omit<LibBench, 'minifiedBytes' | 'gzipBytes'>;
      return {
        name,
        minifiedBytes: c.length,
        gzipBytes: zlib.gzipSync(c, { level: 9 }).length,
        loadMs: t.loadMs,
        firstCallMs: t.firstCallMs,
        callMs: t.callMs,
      };
    });
    log('extension libs (Chromium; load = atob + new Function as CHT does; call = one form call with XPath values)');
    for (const l of out) {
      const target = l.name === 'fhirpath.js' ? '   (target < 400 KB)' : l.name === 'fhir-build.js' ? '   (target: call < 0.1 ms)' : '';
      log(
        `  ${l.name.padEnd(20)} ${kb(l.minifiedBytes).padStart(9)} min ${kb(l.gzipBytes).padStart(9)} gzip   load ${l.loadMs.toFixed(2)} ms   first call ${l.firstCallMs.toFixed(2)} ms   call ${(l.callMs * 1000).toFixed(1)} us${target}`,
      );
    }
    const small = out.filter((l) => ['fhir-build.js', 'fhir-id.js', 'fhir-terminology.js'].includes(l.name)).reduce((a, l) => a + l.minifiedBytes, 0);
    log(`  builder + id + terminology together ${kb(small)} min   (target < 25 KB)`);
    return out;
  } finally {
    await page.close();
  }
}
