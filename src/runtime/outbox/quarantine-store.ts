import type { IDBPObjectStore } from 'idb';
import { whyCorrupt, type QueueRow } from './records';
import type { OutboxSchema, QuarantineEntry } from './schema';
import type { BadRow, OutboxDB } from './store';

/** A version the receiver refused: its rows up to `rev` leave the queue, unless a newer version was enqueued since. */
export interface Refused {
  key: string;
  rev: number;
  value: unknown;
  reason: string;
}

/** What happened to each quarantine id given to `retry` or `discard`. */
export type QuarantineOutcome = Record<number, 'queued' | 'superseded' | 'discarded' | 'unsound' | 'unknown'>;

/**
 * Moves rows to the quarantine store in one transaction and says which
 * moved. A refused version moves (its rows up to `rev` with it) only if no
 * newer version of its key was enqueued since: that one is sent instead.
 */
export async function quarantine(
  db: OutboxDB,
  bad: readonly BadRow[],
  refused: readonly Refused[],
  now: number,
): Promise<{ key: IDBValidKey; reason: string }[]> {
  const tx = db.transaction(['queue', 'quarantine'], 'readwrite');
  const queue = tx.objectStore('queue');
  const moved: { key: IDBValidKey; reason: string }[] = [];
  await Promise.all([
    ...bad.map(async (row) => {
      // Named by the `Type/id` it claims, if any, else by its row.
      const claimed = (row.value as { key?: unknown } | null)?.key;
      const key = typeof claimed === 'string' ? claimed : row.key;
      await tx.objectStore('quarantine').add({ key, reason: row.reason, at: now, value: row.value });
      await queue.delete(row.key as number);
      moved.push({ key, reason: row.reason });
    }),
    ...refused.map(async (r) => {
      const revs = await queue.index('byKey').getAllKeys(r.key);
      if (revs.some((rev) => rev > r.rev)) return;
      await tx.objectStore('quarantine').add({ key: r.key, reason: r.reason, at: now, value: r.value });
      await Promise.all(revs.map((rev) => queue.delete(rev)));
      moved.push(r);
    }),
    tx.done,
  ]);
  return moved;
}

export function listQuarantine(db: OutboxDB): Promise<QuarantineEntry[]> {
  return db.getAll('quarantine');
}

/**
 * Takes entries out of the quarantine in one transaction. With `requeue`,
 * a sound record goes back in the queue as a new version, unless its key
 * has a newer version queued already (then it is only dropped). Says what
 * happened to each id asked for.
 */
export async function unquarantine(db: OutboxDB, qids: readonly number[], requeue: boolean, now: number): Promise<QuarantineOutcome> {
  const tx = db.transaction(['queue', 'quarantine'], 'readwrite');
  const q = tx.objectStore('quarantine');
  const out: QuarantineOutcome = {};
  await Promise.all([
    ...qids.map(async (qid) => {
      const entry = await q.get(qid);
      if (!entry) return void (out[qid] = 'unknown');
      if (requeue) {
        const reason = whyCorrupt(entry.value);
        if (reason) return void (out[qid] = 'unsound'); // stays quarantined: it could never be sent
        const record = entry.value as QueueRow;
        out[qid] = (await requeueUnlessNewer(tx.objectStore('queue'), record, now)) ? 'queued' : 'superseded';
      } else out[qid] = 'discarded';
      await q.delete(qid);
    }),
    tx.done,
  ]);
  return out;
}

async function requeueUnlessNewer(
  queue: IDBPObjectStore<OutboxSchema, ('queue' | 'quarantine')[], 'queue', 'readwrite'>,
  record: QueueRow,
  now: number,
): Promise<boolean> {
  const revs = await queue.index('byKey').getAllKeys(record.key);
  if (revs.some((rev) => rev > record.rev)) return false;
  await queue.put({ key: record.key, resource: record.resource, enqueuedAt: now } as QueueRow);
  return true;
}
