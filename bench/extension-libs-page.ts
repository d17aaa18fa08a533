/**
 * The page half of the extension-libs benchmark, as source text served to
 * Chromium: each lib is loaded the way CHT loads it (atob of the attachment's
 * base64, then new Function('module', ...)) and called with XPath values as a
 * form would; the figures are POSTed back.
 */
export interface PageLib {
  name: string;
  base64: string;
  /** Arguments of one representative call (XPath values). */
  args: unknown[];
}

export function libsBenchPage(libs: PageLib[]): string {
  return `<!doctype html><meta charset="utf-8"><title>extension libs bench</title><script>
const LIBS = ${JSON.stringify(libs)};
const report = (r) => fetch('/result', { method: 'POST', body: JSON.stringify(r) });
const load = (b64) => { const module = { exports: null }; new Function('module', atob(b64))(module); return module.exports; };
try {
  const out = [];
  for (const lib of LIBS) {
    load(lib.base64); // warm the parser once
    const loads = lib.base64.length > 100000 ? 10 : 50;
    let t = performance.now();
    for (let i = 0; i < loads; i++) load(lib.base64);
    const loadMs = (performance.now() - t) / loads;
    const fn = load(lib.base64);
    t = performance.now();
    const first = fn.apply(null, lib.args); // first call: lazy setup (fhirpath: model, compile)
    const firstCallMs = performance.now() - t;
    for (let i = 0; i < 200; i++) fn.apply(null, lib.args);
    const calls = 2000;
    t = performance.now();
    for (let i = 0; i < calls; i++) fn.apply(null, lib.args);
    const callMs = (performance.now() - t) / calls;
    out.push({ name: lib.name, loadMs, firstCallMs, callMs, sample: first });
  }
  report({ ok: true, libs: out });
} catch (e) {
  report({ ok: false, error: String(e && e.stack || e) });
}
</script>`;
}
