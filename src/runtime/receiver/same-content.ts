import { withoutSourceVersion } from '../../core/source-version';

/**
 * True when the stored resource says the same as the pushed one. Bookkeeping
 * is ignored: meta.versionId, meta.lastUpdated, meta.source (provenance, not
 * content: HAPI JPA rewrites its `#fragment` with a request id on every
 * write) and the source-version extension (ordering by source version is
 * `decide`'s job, which writes a newer version even with the same content).
 * Key order is not significant in JSON.
 */
export function sameContent(stored: unknown, pushed: unknown): boolean {
  if (stored === undefined) return false;
  return equal(withoutBookkeeping(stored), withoutBookkeeping(pushed));
}

function withoutBookkeeping(resource: unknown): unknown {
  if (typeof resource !== 'object' || resource === null) return resource;
  const { meta, ...rest } = withoutSourceVersion(resource as Record<string, unknown>);
  if (typeof meta !== 'object' || meta === null) return rest;
  const { versionId: _v, lastUpdated: _l, source: _s, ...keptMeta } = meta as Record<string, unknown>;
  return Object.keys(keptMeta).length ? { ...rest, meta: keptMeta } : rest;
}

function equal(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bArr = b as unknown[];
    return a.length === bArr.length && a.every((v, i) => equal(v, bArr[i]));
  }
  const ak = Object.keys(a);
  const bo = b as Record<string, unknown>;
  if (ak.length !== Object.keys(bo).length) return false;
  return ak.every((k) => Object.prototype.hasOwnProperty.call(bo, k) && equal((a as Record<string, unknown>)[k], bo[k]));
}
