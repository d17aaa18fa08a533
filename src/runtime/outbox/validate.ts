import type { Resource } from 'fhir/r4';
import { FHIR_ID, UUID } from '../../core/ids';

/** One problem found in a resource; `path` is a FHIRPath-like location. */
export interface ValidationIssue {
  path: string;
  message: string;
}

/** A full validator the caller may inject (e.g. @medplum/core's); structural checks run first. */
export type ResourceValidator = (resource: Resource) => readonly ValidationIssue[] | undefined | void;

export const ID_PATTERN = new RegExp(`^${FHIR_ID}$`);
const TYPE_PATTERN = /^[A-Z][A-Za-z]{0,63}$/;
/** Relative `Type/id[/_history/vid]`, absolute URL ending so, `urn:uuid:`, `urn:oid:` or a `#contained` id. */
const REFERENCE_PATTERN = new RegExp(
  `^(?:(?:https?://[^\\s/]+(?:/[^\\s/]+)*/)?[A-Z][A-Za-z]{0,63}/${FHIR_ID}(?:/_history/${FHIR_ID})?` +
    `|urn:uuid:${UUID}|urn:oid:[0-2](?:\\.(?:0|[1-9][0-9]*))+|#${FHIR_ID})$`,
);

/** Default ceiling for one serialised resource (characters): far above any sane CHT record, far below quota. */
export const DEFAULT_MAX_RESOURCE_CHARS = 512 * 1024;

export function isWellFormedReference(ref: string): boolean {
  return REFERENCE_PATTERN.test(ref);
}

/**
 * Light structural checks, cheap enough for every enqueue on a phone. The
 * receiver does full R4 validation; this only refuses what could never be
 * stored, keyed or sent: no type, bad id, broken references, values JSON
 * cannot carry, oversize.
 */
export function checkResource(value: unknown, maxChars = DEFAULT_MAX_RESOURCE_CHARS): ValidationIssue[] {
  return inspect(value, maxChars).issues;
}

/** `checkResource`, also giving the serialised resource when it is sound (enqueue copies from it: one stringify, not two). */
export function inspect(value: unknown, maxChars = DEFAULT_MAX_RESOURCE_CHARS): { issues: ValidationIssue[]; json?: string } {
  if (!isPlainObject(value)) return { issues: [{ path: '', message: 'not a FHIR resource (expected a JSON object)' }] };
  const issues: ValidationIssue[] = [];
  const type = value.resourceType;
  if (typeof type !== 'string' || !TYPE_PATTERN.test(type)) issues.push({ path: 'resourceType', message: 'missing or malformed resourceType' });
  const root = typeof type === 'string' ? type : 'Resource';
  const id = value.id;
  if (id === undefined) issues.push({ path: `${root}.id`, message: 'missing id: the outbox keys records by type and id, mint a stable id before enqueue' });
  else if (typeof id !== 'string' || !ID_PATTERN.test(id))
    issues.push({ path: `${root}.id`, message: `id ${JSON.stringify(id)} does not match [A-Za-z0-9-.]{1,64}` });
  // The common case is a sound resource: check it without building paths, and walk again with paths only to report.
  if (!isClean(value, 0)) walk(value, root, new Set(), issues);
  if (issues.length) return { issues };
  const json = JSON.stringify(value);
  if (json.length > maxChars) issues.push({ path: root, message: `resource is ${json.length} characters serialised, over the ${maxChars} limit` });
  return issues.length ? { issues } : { issues, json };
}

/** True when `walk` would find nothing. Deep nesting (or a cycle) is left to `walk`, which names it. */
function isClean(value: unknown, depth: number): boolean {
  switch (typeof value) {
    case 'string':
    case 'boolean':
    case 'undefined':
      return true;
    case 'number':
      return Number.isFinite(value);
    case 'object':
      break;
    default:
      return false;
  }
  if (value === null) return true;
  if (depth > 64) return false;
  if (Array.isArray(value)) {
    for (const v of value) if (!isClean(v, depth + 1)) return false;
    return true;
  }
  if (!isPlainObject(value)) return false;
  for (const k in value) {
    const v = value[k];
    if (k === 'reference' && typeof v === 'string' && !isWellFormedReference(v)) return false;
    if (!isClean(v, depth + 1)) return false;
  }
  return true;
}

function walk(value: unknown, path: string, seen: Set<object>, issues: ValidationIssue[]): void {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) issues.push({ path, message: `${value} is not a JSON number` });
    return;
  }
  if (typeof value !== 'object') {
    if (value !== undefined) issues.push({ path, message: `a ${typeof value} cannot be serialised as JSON` });
    return;
  }
  if (seen.has(value)) return void issues.push({ path, message: 'circular structure' });
  seen.add(value);
  if (Array.isArray(value)) value.forEach((v, i) => walk(v, `${path}[${i}]`, seen, issues));
  else if (!isPlainObject(value)) issues.push({ path, message: `a ${value.constructor?.name ?? 'foreign'} object cannot be serialised as JSON` });
  else {
    for (const [k, v] of Object.entries(value)) {
      if (k === 'reference' && typeof v === 'string' && !isWellFormedReference(v)) {
        issues.push({ path: `${path}.reference`, message: `malformed reference ${JSON.stringify(v)}` });
      }
      walk(v, `${path}.${k}`, seen, issues);
    }
  }
  seen.delete(value);
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}
