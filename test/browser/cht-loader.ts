/** Loads a built lib the way the CHT webapp does: fetch, base64, atob, new Function('module', ...). */
export async function loadLibLikeCht(name: string): Promise<(...args: unknown[]) => unknown> {
  const res = await fetch(`/base/extension-libs/${name}`);
  if (!res.ok) throw new Error(`cannot fetch ${name}: ${res.status}`);
  const bytes = new Uint8Array(await res.arrayBuffer());
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  const base64 = btoa(binary); // what the attachment holds
  const module: { exports: unknown } = { exports: null };
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- CHT's own loader does this
  (new Function('module', atob(base64)) as (m: { exports: unknown }) => void)(module);
  if (typeof module.exports !== 'function') throw new Error(`${name} did not set module.exports to a function`);
  const fn = module.exports as (...args: unknown[]) => unknown;
  return (...args: unknown[]) => fn.call(null, ...args); // CHT calls with this === null
}

export async function builtLibNames(): Promise<string[]> {
  const files = Object.keys((window as unknown as { __karma__: { files: Record<string, string> } }).__karma__.files);
  return files
    .filter((f) => /^\/base\/extension-libs\/[^/]+\.js$/.test(f))
    .map((f) => f.split('/').pop() as string)
    .sort();
}

export function xmlNode(xml: string, path: string): Element {
  const doc = new DOMParser().parseFromString(xml, 'text/xml');
  const node = doc.evaluate(path, doc, null, XPathResult.FIRST_ORDERED_NODE_TYPE, null).singleNodeValue;
  if (!node) throw new Error(`no node at ${path}`);
  return node as Element;
}
