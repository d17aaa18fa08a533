import type { Bundle, BundleEntry, FhirResource } from 'fhir/r4';
import { responseJson, type FhirCall, type Scope, type FhirClient } from './fhir-client';
import { compareSourceVersions } from '../../core/source-version';
import { hasStatement, mergeStatement } from '../../core/statement';
import { sameContent } from './same-content';

/**
 * The create guard where `If-None-Match: *` is not honoured (HAPI FHIR JPA
 * ignores it on transaction entries): a PUT sent as a create that the server
 * answered `200` instead of `201` overwrote a version someone wrote between
 * our read and our write (a racing create, or our own create committing
 * after our deadline). If that version carries a newer source version of the
 * same source than ours, it is put back, guarded by `If-Match` on ours.
 */

/** One of our creates that landed as an update: `versionId` is the version it made. */
export interface Overwrite {
  type: string;
  id: string;
  versionId: string;
}

/**
 * Our creates (`sent[i].create`: entry i was a PUT without a stored version)
 * that the transaction-response shows as updates: `200` with the version
 * made. The embedded store answers a create `200` without a version (and
 * refuses a create on an existing resource with 412): nothing to check there.
 */
export function overwrites(sent: { type: string; id: string; create: boolean }[], response: Bundle | undefined): Overwrite[] {
  const entries = response?.entry ?? [];
  const out: Overwrite[] = [];
  sent.forEach((s, i) => {
    const r = entries[i]?.response;
    if (!s.create || parseInt(r?.status ?? '', 10) !== 200) return;
    const versionId = etagVersion(r?.etag) ?? /\/_history\/([^/]+)$/.exec(r?.location ?? '')?.[1];
    if (versionId) out.push({ type: s.type, id: s.id, versionId });
  });
  return out;
}

/**
 * What to put over ours, given some of the resource's history: when ours is
 * still the newest version, the one just before it if newer by source
 * version, or, for a resource several reports write, the two merged
 * (core/statement.ts); otherwise none (last write wins between sources, and
 * a later writer decided against ours already). Versions are ordered by
 * their versionId, never by the order a server lists them in: HAPI dates a
 * version by when its request started, so a racing create can list first.
 */
export function toRestore(history: FhirResource[], ours: string): FhirResource | undefined {
  const [head, previous] = [...history].sort((a, b) => versionNumber(b) - versionNumber(a));
  if (!head || !previous || head.meta?.versionId !== ours) return undefined;
  const { versionId: _v, lastUpdated: _l, ...meta } = previous.meta ?? {};
  if (hasStatement(head)) {
    const merged = mergeStatement({ ...previous, meta }, head).resource as FhirResource;
    return sameContent(head, merged) ? undefined : merged;
  }
  if (compareSourceVersions(previous, head) !== 'newer') return undefined;
  return { ...previous, meta };
}

function versionNumber(r: FhirResource): number {
  const n = Number(r.meta?.versionId);
  return Number.isFinite(n) ? n : -1;
}

/** Versions read to find ours and the one before it: a few, as a server's listing order is not the version order. */
const HISTORY = 5;

/** A newer writer of the same resource changes its head while we restore: a second look drops that one. */
const ATTEMPTS = 3;

/**
 * Checks each overwrite against the resource's history (one batch of
 * `_history?_count=5&_offset=0`) and restores the newer versions (one transaction, each
 * PUT `If-Match` on our version). Resolves with the keys restored. Throws the
 * failing call (status not 2xx) for the caller to map; a 409/412 is looked at
 * again, at most ATTEMPTS times.
 */
export async function restoreNewer(client: FhirClient, list: Overwrite[], scope: Scope): Promise<string[]> {
  let pending = list;
  for (let attempt = 1; pending.length; attempt++) {
    // `_offset=0`: without it HAPI cuts an instance history to a cached total (historyCountMode CACHED_ONLY_WITHOUT_OFFSET), which can hide the version before ours.
    const batch: Bundle = {
      resourceType: 'Bundle',
      type: 'batch',
      entry: pending.map((o) => ({ request: { method: 'GET', url: `${o.type}/${o.id}/_history?_count=${HISTORY}&_offset=0` } })),
    };
    const read = await client.postBundle('FHIR history (batch)', batch, scope);
    const histories = read.status === 200 ? (responseJson(read) as Bundle | undefined)?.entry : undefined;
    if (!Array.isArray(histories) || histories.length !== pending.length) throw new RestoreFailed(read);
    const back = pending
      .map((o, i) => ({
        o,
        resource: toRestore(
          ((histories[i]?.resource as Bundle | undefined)?.entry ?? []).map((e) => e.resource as FhirResource),
          o.versionId,
        ),
      }))
      .filter((r): r is { o: Overwrite; resource: FhirResource } => !!r.resource);
    if (!back.length) return [];
    const tx: Bundle<FhirResource> = {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: back.map(({ o, resource }): BundleEntry<FhirResource> => ({
        fullUrl: `${client.baseUrl}/${o.type}/${o.id}`,
        resource,
        request: { method: 'PUT', url: `${o.type}/${o.id}`, ifMatch: `W/"${o.versionId}"` },
      })),
    };
    const call = await client.postBundle('FHIR restore newer version', tx, scope);
    const status = call.status ?? 0;
    if (status >= 200 && status < 300) return back.map(({ o }) => `${o.type}/${o.id}`);
    if ((status !== 409 && status !== 412) || attempt >= ATTEMPTS) throw new RestoreFailed(call);
    pending = back.map(({ o }) => o);
  }
  return [];
}

export class RestoreFailed extends Error {
  constructor(readonly call: FhirCall) {
    super(`restoring a newer version failed with HTTP ${call.status}`);
  }
}

/** `W/"2"`, `"2"` or HAPI's bare `2`: the one reading of an ETag (deliver.ts uses it too). */
export const etagVersion = (etag?: string) => etag?.match(/^(?:W\/)?"?([^"]+)"?$/)?.[1];
