import type { Bundle, BundleEntry, FhirResource, OperationOutcome, OperationOutcomeIssue } from 'fhir/r4';
import { FhirUnavailable, responseJson, type FhirCall, type Scope, type FhirClient } from './fhir-client';
import { HttpError, outcome } from './failure';
import { awaitingReferences } from './missing-references';
import type { PushedResource } from './payload';
import { sameContent } from './same-content';
import { compareSourceVersions, sourceVersionOf } from '../../core/source-version';
import { hasStatement, mergeStatement } from '../../core/statement';
import { etagVersion, overwrites, restoreNewer, RestoreFailed } from './create-guard';

export interface Delivery {
  written: number;
  unchanged: number;
  /** Older than what is stored (by source version): left alone (or the newer one put back), and answered as delivered. */
  superseded: number;
  calls: FhirCall[];
}

/** A transaction carrying creates that missed our deadline may still commit: where and how to check it then. */
export interface LateCommits {
  /** Absolute ms until which its answer is awaited. */
  until: number;
  /** Time budget of the check run on that answer. */
  checkMs: number;
  /** Receives the check (resolves with the keys restored). */
  track(check: Promise<string[]>, calls: FhirCall[]): void;
}

export type Decision = 'write' | 'unchanged' | 'superseded';

/**
 * What to do with a pushed resource given the stored one, and what to
 * write. A resource several reports write (it carries their statements) is
 * merged into the stored one by clinical time (core/statement.ts), written
 * when that changes it, or when more than its own statement's version moved.
 * Otherwise, same source (its source-version extension `<source>#<n>`): a
 * lower `n` is superseded, the same `n` unchanged, a higher `n` written,
 * except when it is the very next `n` and says the same: then nothing is
 * written (no FHIR version, no subscriber notified, for an unrelated edit of
 * the CHT doc).
 * That skip keeps the ordering: every `n` up to the stored one is
 * superseded, and there is no `n` between the stored one and the next, so
 * no late push can carry content the skipped one did not. With a gap (the
 * stored `n` is 3, the push 5), an unseen 4 with other content may still be
 * in flight: 5 is written, so that 4 arrives superseded.
 * Otherwise (new, unversioned, another source): written unless the content
 * is the same.
 */
export function decide(pushed: FhirResource, stored: FhirResource | undefined): { decision: Decision; resource: FhirResource } {
  if (stored === undefined) return { decision: 'write', resource: pushed };
  if (hasStatement(pushed)) {
    const merged = mergeStatement(stored, pushed);
    if (merged.decision !== 'write') return { decision: merged.decision, resource: stored };
    const nothingNew = sameContent(stored, merged.resource) || (merged.asBefore !== undefined && sameContent(stored, merged.asBefore));
    return nothingNew ? { decision: 'unchanged', resource: stored } : { decision: 'write', resource: merged.resource as FhirResource };
  }
  const order = compareSourceVersions(pushed, stored);
  const decision: Decision =
    order === 'older'
      ? 'superseded'
      : order === 'same'
        ? 'unchanged'
        : order === 'newer'
          ? sourceVersionOf(pushed)!.version === sourceVersionOf(stored)!.version + 1 && sameContent(stored, pushed)
            ? 'unchanged'
            : 'write'
          : sameContent(stored, pushed)
            ? 'unchanged'
            : 'write';
  return { decision, resource: pushed };
}

/** Concurrent writers on one resource: a second look usually finds it already up to date. */
const ATTEMPTS = 3;

/**
 * Stores the pushed resources so that a repeat changes nothing:
 * 1. one batch of GETs reads what the FHIR server holds for these ids;
 * 2. `decide` leaves alone resources identical to what is stored and ones
 *    older (by source version) than what is stored;
 * 3. the rest go in ONE transaction, each PUT guarded: If-Match on the
 *    version just read, or If-None-Match: * where nothing was stored, so a
 *    concurrent or late write (a create held past our deadline that commits
 *    after all) fails it (412) instead of being overwritten; that case is
 *    read and decided again;
 * 4. where the server ignores If-None-Match (HAPI: a create answered 200, an
 *    update), the version we overwrote is put back if it was newer
 *    (`create-guard.ts`); a transaction with creates that misses the
 *    deadline is awaited until `late.until` and then checked the same way.
 * Resolves only after the FHIR server committed; otherwise throws an
 * HttpError whose status tells CHT to retry (5xx) or not. `scope.calls` collects
 * every FHIR call made, success or not (for logs and OpenHIM orchestrations).
 */
export async function deliver(client: FhirClient, pushed: PushedResource[], scope: Scope, late?: LateCommits): Promise<Delivery> {
  try {
    for (let attempt = 1; ; attempt++) {
      const current = await readCurrent(client, pushed, scope);
      const decided = pushed.map((p) => decide(p.resource, current.get(key(p))?.resource));
      const changed = pushed.flatMap((p, i) => (decided[i]!.decision === 'write' ? [{ ...p, resource: decided[i]!.resource }] : []));
      const superseded = decided.filter((d) => d.decision === 'superseded').length;
      const unchanged = pushed.length - changed.length - superseded;
      if (!changed.length) return { written: 0, unchanged, superseded, calls: scope.calls };
      const tx: Bundle<FhirResource> = {
        resourceType: 'Bundle',
        type: 'transaction',
        entry: changed.map((p): BundleEntry<FhirResource> => {
          const stored = current.get(key(p));
          const guard = !stored ? { ifNoneMatch: '*' } : stored.versionId ? { ifMatch: `W/"${stored.versionId}"` } : {};
          return {
            fullUrl: `${client.baseUrl}/${p.type}/${p.id}`,
            resource: p.resource,
            request: { method: 'PUT', url: `${p.type}/${p.id}`, ...guard },
          };
        }),
      };
      const sent = changed.map((p) => ({ type: p.type, id: p.id, create: !current.has(key(p)) }));
      const creates = sent.some((s) => s.create);
      const call = await client.postBundle('FHIR transaction', tx, scope, creates ? late?.until : undefined).catch((e: unknown) => {
        if (late && e instanceof FhirUnavailable && e.late) {
          const lateCalls: FhirCall[] = [];
          late.track(
            e.late.then((c) =>
              c && ok(c.status)
                ? restoreNewer(client, overwrites(sent, responseJson(c) as Bundle), { deadline: Date.now() + late.checkMs, calls: lateCalls })
                : [],
            ),
            lateCalls,
          );
        }
        throw e;
      });
      const status = call.status ?? 0;
      if (ok(status)) {
        const back = (await restoreNewer(client, overwrites(sent, responseJson(call) as Bundle), scope)).length;
        return { written: changed.length - back, unchanged, superseded: superseded + back, calls: scope.calls };
      }
      if ((status === 412 || status === 409) && attempt < ATTEMPTS) continue;
      throw upstreamError('transaction', call);
    }
  } catch (e) {
    throw e instanceof RestoreFailed ? upstreamError('restore', e.call) : e;
  }
}

interface Stored {
  resource: FhirResource;
  versionId?: string;
}

async function readCurrent(client: FhirClient, pushed: PushedResource[], scope: Scope): Promise<Map<string, Stored>> {
  const batch: Bundle = { resourceType: 'Bundle', type: 'batch', entry: pushed.map((p) => ({ request: { method: 'GET', url: `${p.type}/${p.id}` } })) };
  const call = await client.postBundle('FHIR read (batch)', batch, scope);
  if (call.status !== 200) throw upstreamError('read', call);
  const response = responseJson(call) as Bundle<FhirResource> | undefined;
  const entries = response?.entry;
  if (!Array.isArray(entries) || entries.length !== pushed.length) throw upstreamError('read', call, 'batch-response does not match the request');
  const out = new Map<string, Stored>();
  entries.forEach((e, i) => {
    const status = parseInt(e.response?.status ?? '', 10);
    // pushed[i]: the same length as entries, checked above.
    if (status === 200 && e.resource)
      out.set(key(pushed[i]!), { resource: e.resource, versionId: e.resource.meta?.versionId ?? etagVersion(e.response?.etag) });
    else if (status !== 404 && status !== 410) throw upstreamError('read', call, `entry ${i} answered ${e.response?.status}`);
  });
  return out;
}

/** Maps a FHIR server answer to ours: its own failures and conflicts are worth a retry (5xx), a rejection of the content is not (422). */
function upstreamError(step: string, call: FhirCall, detail?: string): HttpError {
  const status = call.status ?? 0;
  const theirs = responseJson(call) as OperationOutcome | undefined;
  const issues: OperationOutcomeIssue[] = theirs?.resourceType === 'OperationOutcome' && Array.isArray(theirs.issue) ? theirs.issue : [];
  const waiting = status === 400 ? awaitingReferences(issues) : undefined;
  if (waiting) return waiting;
  const text = `FHIR server ${step} failed with HTTP ${status}${detail ? `: ${detail}` : ''}`;
  const retryable = status >= 500 || status === 408 || status === 409 || status === 412 || status === 429 || status < 200 || (status === 200 && !!detail);
  const body = outcome('error', retryable ? 'transient' : 'processing', text);
  body.issue.push(...issues);
  return new HttpError(retryable ? (status === 409 || status === 412 || status === 429 ? 503 : 502) : 422, body);
}

const key = (p: { type: string; id: string }) => `${p.type}/${p.id}`;
const ok = (status?: number) => status !== undefined && status >= 200 && status < 300;
