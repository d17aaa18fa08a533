import type { Bundle, Resource } from 'fhir/r4';
import { checkResource, inspect, type ValidationIssue } from './validate';

/** One enqueued version, as the `queue` store keeps it (schema v3). */
export interface QueueRow {
  /** The row's key, from the store's key generator: the version, growing across reloads and tabs. */
  rev: number;
  /** `resourceType/id`: a later version of the same key supersedes this one. */
  key: string;
  resource: Resource;
  enqueuedAt: number;
}

/** A record as a flush sends it: the newest version of its key, at the queue place of its first row. */
export interface OutboxRecord extends QueueRow {
  /** Queue position: the first row of the key, so references stay ahead of their users when a record is replaced. */
  seq: number;
}

export function keyOf(resource: Resource): string {
  return `${resource.resourceType}/${resource.id}`;
}

/**
 * The resources one `enqueue` call carries: a transaction or batch Bundle is
 * unpacked (only PUT/POST entries with a resource), anything else, including
 * other Bundle types, is one resource. Sound resources come back as they
 * are, with the serialisation the size check made (`json`): a write that has
 * to wait for its turn stores copies parsed from it, so the caller may keep
 * editing its objects (a write that starts at once needs none: IndexedDB
 * clones a value when it is put).
 */
export function unpack(input: Resource | Bundle, maxChars?: number): { resources: Resource[]; json: string[]; issues: ValidationIssue[] } {
  const b = input as Bundle;
  if (b?.resourceType !== 'Bundle' || (b.type !== 'transaction' && b.type !== 'batch')) {
    const { issues, json } = inspect(input, maxChars);
    return json === undefined ? { resources: [], json: [], issues } : { resources: [input], json: [json], issues };
  }
  const issues: ValidationIssue[] = [];
  const resources: Resource[] = [];
  const json: string[] = [];
  (b.entry ?? []).forEach((e, i) => {
    const at = `Bundle.entry[${i}]`;
    const method = e.request?.method;
    if (method && method !== 'PUT' && method !== 'POST')
      return void issues.push({ path: `${at}.request.method`, message: `${method} is not supported: the outbox only sends resources` });
    if (!e.resource) return void issues.push({ path: `${at}.resource`, message: 'entry has no resource' });
    const found = inspect(e.resource, maxChars);
    for (const issue of found.issues) issues.push({ path: `${at}.resource${issue.path ? '.' + issue.path : ''}`, message: issue.message });
    if (found.json !== undefined) {
      resources.push(e.resource);
      json.push(found.json);
    }
  });
  if (!resources.length && !issues.length) issues.push({ path: 'Bundle.entry', message: 'bundle has no entries' });
  return { resources, json, issues };
}

/** Why a value read from the records store cannot be sent, or null if it is a sound record. */
export function whyCorrupt(value: unknown, maxChars?: number): string | null {
  if (typeof value !== 'object' || value === null) return `not a record: ${typeof value}`;
  const r = value as Partial<OutboxRecord>;
  if (typeof r.key !== 'string') return 'record has no string key';
  if (!Number.isSafeInteger(r.rev)) return 'record has no rev';
  const issues = checkResource(r.resource, maxChars);
  if (issues.length) return `resource fails checks: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`;
  if (keyOf(r.resource as Resource) !== r.key) return `key ${r.key} does not match resource ${keyOf(r.resource as Resource)}`;
  return null;
}
