import { withoutSourceVersion } from '../../core/source-version';
import { canonicalJson } from './canonical-json';

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
  return canonicalJson(withoutBookkeeping(stored)) === canonicalJson(withoutBookkeeping(pushed));
}

function withoutBookkeeping(resource: unknown): unknown {
  if (typeof resource !== 'object' || resource === null) return resource;
  const { meta, ...rest } = withoutSourceVersion(resource as Record<string, unknown>);
  if (typeof meta !== 'object' || meta === null) return rest;
  const { versionId: _v, lastUpdated: _l, source: _s, ...keptMeta } = meta as Record<string, unknown>;
  return Object.keys(keptMeta).length ? { ...rest, meta: keptMeta } : rest;
}
