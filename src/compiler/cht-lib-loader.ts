/**
 * Loads a lib exactly as the CHT webapp does (cht-datasource.service.ts):
 * base64 -> atob -> new Function('module', code)(module). Used at build time
 * so a lib CHT could not load never reaches extension-libs/.
 */
export function loadLikeCht(code: string): unknown {
  const base64 = Buffer.from(code, 'latin1').toString('base64');
  const source = atob(base64);
  const module: { exports: unknown } = { exports: null };
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- this is how CHT loads a lib; the check must do the same
  (new Function('module', source) as (m: { exports: unknown }) => void)(module);
  return module.exports;
}

export function checkLoadsLikeCht(name: string, code: string): void {
  // eslint-disable-next-line no-control-regex -- the ASCII range starts at NUL
  const nonAscii = code.search(/[^\x00-\x7f]/);
  if (nonAscii >= 0) throw new Error(`extension lib ${name}: non-ASCII character at offset ${nonAscii} (CHT decodes libs with atob)`);
  if (/\brequire\s*\(/.test(code)) throw new Error(`extension lib ${name}: references require(), which CHT does not provide`);
  let exported: unknown;
  try {
    exported = loadLikeCht(code);
  } catch (e) {
    throw new Error(`extension lib ${name}: fails to load the way CHT loads it: ${(e as Error).message}`);
  }
  if (typeof exported !== 'function') throw new Error(`extension lib ${name}: module.exports is ${typeof exported}, CHT needs a function`);
}
