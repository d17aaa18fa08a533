import type { Extension, Resource } from 'fhir/r4';

/**
 * The source version of a pushed resource: `<source>#<n>`, where `<source>`
 * is a URI naming who wrote it (a CHT doc, a browser outbox database) and `n`
 * a positive integer that only grows for that source. The receiver compares
 * `n` only between the same `<source>`: a stored resource is never replaced
 * by a lower `n` of its own source.
 *
 * It travels as a resource-level extension (`SOURCE_VERSION_URL`, valueString
 * `<source>#<n>`), the one place of truth: FHIR servers keep extensions as
 * sent, while HAPI FHIR JPA rewrites the `#fragment` of `meta.source` with its
 * own request id. `meta.source` gets `<source>` alone, as provenance.
 */
export interface SourceVersion {
  source: string;
  version: number;
}

/**
 * Fixed for the project (not per deployment: the receiver and the browser
 * outbox do not know a deployment's `identifier_base`); under the namespace
 * of the HAPI launcher (`org.chtfhir`). An identifier, not resolved.
 */
export const SOURCE_VERSION_URL = 'https://chtfhir.org/fhir/StructureDefinition/source-version';

const SOURCE = /^(\S+)#([1-9][0-9]{0,15})$/;
/** The R4 resources that are not DomainResources: they have no `extension`. */
const NO_EXTENSION = new Set(['Bundle', 'Binary', 'Parameters']);

export function sourceUri(v: SourceVersion): string {
  return `${v.source}#${v.version}`;
}

/** A copy of `resource` with its source version set (other extensions and `meta` kept). */
export function withSourceVersion<T extends Resource>(resource: T, v: SourceVersion): T {
  const meta = { ...resource.meta, source: v.source };
  if (NO_EXTENSION.has(resource.resourceType)) return { ...resource, meta };
  const others = ((resource as { extension?: Extension[] }).extension ?? []).filter((e) => e?.url !== SOURCE_VERSION_URL);
  return { ...resource, meta, extension: [...others, { url: SOURCE_VERSION_URL, valueString: sourceUri(v) }] };
}

/** The source version a resource carries, if it carries one. */
export function sourceVersionOf(resource: unknown): SourceVersion | undefined {
  const ext = (resource as { extension?: unknown } | null | undefined)?.extension;
  const value = Array.isArray(ext)
    ? (ext.find((e: { url?: unknown } | null) => e?.url === SOURCE_VERSION_URL) as { valueString?: unknown } | undefined)?.valueString
    : undefined;
  const m = typeof value === 'string' ? SOURCE.exec(value) : null;
  return m ? { source: m[1]!, version: Number(m[2]) } : undefined;
}

/** `resource` without its source-version extension (and without `extension` when that was the only one). */
export function withoutSourceVersion(resource: Record<string, unknown>): Record<string, unknown> {
  const { extension, ...rest } = resource;
  if (!Array.isArray(extension)) return resource;
  const others = extension.filter((e) => (e as { url?: unknown } | null)?.url !== SOURCE_VERSION_URL);
  return others.length ? { ...rest, extension: others } : rest;
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
