import type { Extension, Resource } from 'fhir/r4';

/**
 * The source version of a pushed resource: `<source>#<n>`, where `<source>`
 * is a URI naming who wrote it (a CHT doc, a browser outbox database) and `n`
 * a positive integer that only grows for that source. The receiver compares
 * `n` only between the same `<source>`: a stored resource is never replaced
 * by a lower `n` of its own source.
 *
 * It travels as a resource-level extension (`sourceVersionUrl`, valueString
 * `<source>#<n>`), the one place of truth: FHIR servers keep extensions as
 * sent, while HAPI FHIR JPA rewrites the `#fragment` of `meta.source` with its
 * own request id. `meta.source` gets `<source>` alone, as provenance.
 */
export interface SourceVersion {
  source: string;
  version: number;
}

/**
 * The extension's URL: `<canonical base>/StructureDefinition/source-version`,
 * under the deployment's own canonical base (its identifier base without
 * `/sid`, identity.ts `systems().sourceVersion`), where a StructureDefinition
 * of it is published with the Questionnaires. Readers (the receiver, which
 * serves any deployment and knows no base) recognise it by that path.
 */
export const SOURCE_VERSION_PATH = '/StructureDefinition/source-version';

/** The source-version extension URL under a canonical base (`https://fhir.example.org`). */
export function sourceVersionUrl(canonicalBase: string): string {
  return canonicalBase.replace(/\/+$/, '') + SOURCE_VERSION_PATH;
}

const SOURCE_VERSION_URL = /^(https?|urn):\S+\/StructureDefinition\/source-version$/;
const isSourceVersion = (e: unknown): boolean =>
  typeof (e as { url?: unknown } | null)?.url === 'string' && SOURCE_VERSION_URL.test((e as { url: string }).url);

const SOURCE = /^(\S+)#([1-9][0-9]{0,15})$/;
/** The R4 resources that are not DomainResources: they have no `extension`. */
const NO_EXTENSION = new Set(['Bundle', 'Binary', 'Parameters']);

export function sourceUri(v: SourceVersion): string {
  return `${v.source}#${v.version}`;
}

/** A copy of `resource` with its source version set under extension `url` (sourceVersionUrl; other extensions and `meta` kept). */
export function withSourceVersion<T extends Resource>(resource: T, v: SourceVersion, url: string): T {
  const meta = { ...resource.meta, source: v.source };
  if (NO_EXTENSION.has(resource.resourceType)) return { ...resource, meta };
  const others = ((resource as { extension?: Extension[] }).extension ?? []).filter((e) => !isSourceVersion(e));
  return { ...resource, meta, extension: [...others, { url, valueString: sourceUri(v) }] };
}

/** The source version a resource carries, if it carries one. */
export function sourceVersionOf(resource: unknown): SourceVersion | undefined {
  const ext = (resource as { extension?: unknown } | null | undefined)?.extension;
  const value = Array.isArray(ext) ? (ext.find(isSourceVersion) as { valueString?: unknown } | undefined)?.valueString : undefined;
  const m = typeof value === 'string' ? SOURCE.exec(value) : null;
  return m ? { source: m[1]!, version: Number(m[2]) } : undefined;
}

/** `resource` without its source-version extension (and without `extension` when that was the only one). */
export function withoutSourceVersion(resource: Record<string, unknown>): Record<string, unknown> {
  const { extension, ...rest } = resource;
  if (!Array.isArray(extension)) return resource;
  const others = extension.filter((e) => !isSourceVersion(e));
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
