/**
 * True when the stored resource says the same as the pushed one. The server's
 * bookkeeping (meta.versionId, meta.lastUpdated) is ignored; so is a stored
 * meta.source when the push has none (HAPI JPA stamps `#<request id>` on every
 * write by default); key order is not significant in JSON.
 */
export function sameContent(stored: unknown, pushed: unknown): boolean {
  if (stored === undefined) return false;
  const pushedMeta = (pushed as { meta?: { source?: unknown } } | null)?.meta;
  return equal(withoutBookkeeping(stored, pushedMeta?.source === undefined), withoutBookkeeping(pushed, false));
}

function withoutBookkeeping(resource: unknown, dropSource: boolean): unknown {
  if (typeof resource !== 'object' || resource === null) return resource;
  const { meta, ...rest } = resource as Record<string, unknown>;
  if (typeof meta !== 'object' || meta === null) return rest;
  const { versionId: _v, lastUpdated: _l, ...keptMeta } = meta as Record<string, unknown>;
  if (dropSource) delete keptMeta.source;
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
