import type { OutboxContext } from './context';
import { listQuarantine, quarantine, unquarantine, type QuarantineOutcome, type Refused } from './quarantine-store';
import type { QuarantineEntry } from './schema';
import { sweep, type BadRow } from './store';

/**
 * What could not be sent: corrupt rows, and versions the receiver refused
 * (with its reason). `retry` queues entries again (as new versions, unless
 * a newer version of the same resource is queued already: then they are
 * dropped as `superseded`); `discard` deletes them. Both take `qid`s.
 */
export interface Quarantine {
  list(): Promise<QuarantineEntry[]>;
  retry(qids: readonly number[]): Promise<QuarantineOutcome>;
  discard(qids: readonly number[]): Promise<QuarantineOutcome>;
}

/** The outbox's `quarantine`; `requeued` runs when `retry` put something back in the queue. */
export function quarantineOf(ctx: OutboxContext, requeued: () => void): Quarantine {
  return {
    list: () => listQuarantine(ctx.db),
    retry: async (qids) => {
      const out = await unquarantine(ctx.db, qids, true, Date.now());
      if (Object.values(out).includes('queued')) requeued();
      return out;
    },
    discard: (qids) => unquarantine(ctx.db, qids, false, Date.now()),
  };
}

/** Moves bad rows and refused versions to the quarantine and reports what moved (the 'quarantined' event). */
export async function quarantineRows(ctx: OutboxContext, bad: BadRow[], refused: Refused[] = []): Promise<number> {
  if (!bad.length && !refused.length) return 0;
  const moved = await quarantine(ctx.db, bad, refused, Date.now());
  if (moved.length) ctx.emit('quarantined', { entries: moved.map((r) => ({ key: String(r.key as string | number), reason: r.reason })) });
  return moved.length;
}

/** Quarantines bad rows found anywhere in the queue (at open and at the end of a flush). */
export async function sweepQueue(ctx: OutboxContext): Promise<number> {
  return quarantineRows(ctx, await sweep(ctx.db));
}
