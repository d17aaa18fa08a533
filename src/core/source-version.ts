import type { Resource } from 'fhir/r4';

/**
 * The source version of a pushed resource: `meta.source` = `<source>#<n>`,
 * where `<source>` is a URI naming who wrote it (a CHT doc, a browser outbox
 * database) and `n` a positive integer that only grows for that source. The
 * receiver compares `n` only between the same `<source>`: a stored resource
 * is never replaced by a lower `n` of its own source. (HAPI writes
 * `<source>#<request id>` there too; R4 leaves `meta.source` to the
 * implementer, a `uri`.)
 */
export interface SourceVersion {
  source: string;
  version: number;
}

const SOURCE = /^(\S+)#([1-9][0-9]{0,15})$/;

export function sourceUri(v: SourceVersion): string {
  return `${v.source}#${v.version}`;
}

/** A copy of `resource` with its source version set (any other `meta` kept). */
export function withSourceVersion<T extends Resource>(resource: T, v: SourceVersion): T {
  return { ...resource, meta: { ...resource.meta, source: sourceUri(v) } };
}

/** The source version a resource carries, if it carries one. */
export function sourceVersionOf(resource: unknown): SourceVersion | undefined {
  const source = (resource as { meta?: { source?: unknown } } | null | undefined)?.meta?.source;
  const m = typeof source === 'string' ? SOURCE.exec(source) : null;
  return m ? { source: m[1], version: Number(m[2]) } : undefined;
}

/**
 * How a pushed resource's version stands to the stored one's: `undefined`
 * when they cannot be compared (either has none, or other sources).
 */
export function compareSourceVersions(pushed: unknown, stored: unknown): 'newer' | 'same' | 'older' | undefined {
  const p = sourceVersionOf(pushed);
  const s = sourceVersionOf(stored);
  if (!p || !s || p.source !== s.source) return undefined;
  return p.version > s.version ? 'newer' : p.version === s.version ? 'same' : 'older';
}

/** The sequence number of a CouchDB `_rev` (`"3-abc..."` gives 3). */
export function revSequence(rev: unknown): number | undefined {
  const m = typeof rev === 'string' ? /^([1-9][0-9]{0,15})-/.exec(rev) : null;
  return m ? Number(m[1]) : undefined;
}
