import type { ConfirmAndRead, Read } from './batch-store';
import { referencesFirst } from './order';
import type { OutboxRecord } from './records';
import type { BadRow } from './store';

/** What the receiver's answer to one batch meant. */
export type Sent =
  /** Every record accepted: the caller confirms (deletes) them in its next transaction. */
  | 'accepted'
  /** Already settled record by record (split after a refusal, or a per-entry answer). */
  | { delivered: number; quarantined: number };

/** The I/O the flush loop drives; `send` throws when the flush must stop (e.g. to retry later). */
export interface FlushSteps {
  batchSize: number;
  closed(): boolean;
  read(after: number | undefined, limit: number): Promise<Read>;
  confirmAndRead(sent: readonly OutboxRecord[], after: number | undefined, limit: number): Promise<ConfirmAndRead>;
  send(batch: OutboxRecord[]): Promise<Sent>;
  quarantine(bad: BadRow[]): Promise<number>;
  delivered(removed: string[], replaced: string[]): void;
}

/**
 * Sends the queue batch by batch with one request in flight, and hides the
 * IndexedDB work behind it: while batch N travels, one transaction deletes
 * batch N-1 (confirmed by the receiver) and reads batch N+1, which goes out
 * as soon as N is answered. Batch N+1 is sent only after N was accepted, so
 * references in earlier batches are always stored first, as in a plain loop.
 *
 * Reads move forward by row. A record replaced in flight has its newer row
 * further on (revs only grow), so the cursor reaches it. A version already
 * sent in this flush is not sent again (the read overlapping the first
 * request may see it). Anything else left behind the cursor (say, a refusal
 * that lost a race with a squash) is found by a last read from the start,
 * done with nothing in flight: the flush ends only when that read is empty.
 */
export async function pipelinedFlush(s: FlushSteps, out: { delivered: number; quarantined: number }): Promise<void> {
  let after: number | undefined;
  let fromStart = true;
  let next = await s.read(undefined, s.batchSize);
  let unconfirmed: OutboxRecord[] = [];
  const sentRev = new Map<string, number>();
  for (;;) {
    if (s.closed()) throw new Error('outbox closed');
    if (next.last !== undefined && (after === undefined || next.last > after)) after = next.last;
    if (next.bad.length) out.quarantined += await s.quarantine(next.bad);
    const fresh = next.records.filter((r) => !(r.rev <= (sentRev.get(r.key) ?? 0)));
    const batch = referencesFirst(
      fresh,
      (r) => r.key,
      (r) => r.resource,
    );
    for (const r of batch) sentRev.set(r.key, r.rev);
    if (!batch.length && !unconfirmed.length) {
      if (fromStart && !next.bad.length) return;
      // An empty read past the cursor: look again from the start for records left behind.
      fromStart = !next.bad.length;
      if (fromStart) after = undefined;
      next = await s.read(after, s.batchSize);
      continue;
    }
    fromStart = false;
    const flight = batch.length ? s.send(batch) : Promise.resolve(null);
    const reading = unconfirmed.length
      ? s.confirmAndRead(unconfirmed, after, s.batchSize)
      : s.read(after, s.batchSize).then((r) => ({ removed: [], replaced: [], next: r }));
    const [answer, confirmed] = await Promise.allSettled([flight, reading]);
    unconfirmed = [];
    if (confirmed.status === 'rejected') throw confirmed.reason;
    const c = confirmed.value;
    if (c.removed.length || c.replaced.length) s.delivered(c.removed, c.replaced);
    out.delivered += c.removed.length;
    next = c.next;
    if (answer.status === 'rejected') throw answer.reason;
    if (answer.value === 'accepted') unconfirmed = batch;
    else if (answer.value) {
      out.delivered += answer.value.delivered;
      out.quarantined += answer.value.quarantined;
    }
  }
}
