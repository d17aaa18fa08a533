import type { IDBPIndex } from 'idb';
import type { OutboxRecord, QueueRow } from './records';
import { whyCorrupt } from './records';
import type { OutboxSchema } from './schema';
import type { BadRow, OutboxDB } from './store';

/** Records read for the next batch, in queue order, and rows that must not be sent. */
export interface Read {
  records: OutboxRecord[];
  bad: BadRow[];
  /** The last row read (the cursor for the next read). */
  last?: number;
}

/** What one confirm + read transaction did. */
export interface ConfirmAndRead {
  removed: string[];
  /** Keys given a newer version while in flight: they stay queued (that version is further on in the queue). */
  replaced: string[];
  next: Read;
}

type KeyIndex = IDBPIndex<OutboxSchema, ['queue'], 'queue', 'byKey', 'readonly' | 'readwrite'>;

/** The next `limit` rows after row `after` (from the start when undefined), as records at their newest versions. */
export async function readAfter(db: OutboxDB, after: number | undefined, limit: number): Promise<Read> {
  const tx = db.transaction('queue', 'readonly');
  const [read] = await Promise.all([readRows(tx.store.getAll(rangeAfter(after), limit), tx.store.index('byKey')), tx.done]);
  return read;
}

/**
 * One readwrite transaction that deletes the versions the receiver
 * confirmed (every row of the key up to the rev sent; a newer row stays
 * queued, and is further on in the queue since revs only grow), and reads
 * the next batch after `after`. Relaxed durability is safe: a lost delete
 * only means a resend the receiver finds unchanged.
 */
export async function confirmAndRead(db: OutboxDB, sent: readonly OutboxRecord[], after: number | undefined, limit: number): Promise<ConfirmAndRead> {
  const tx = db.transaction('queue', 'readwrite', { durability: 'relaxed' });
  const done = tx.done;
  done.catch(() => undefined); // awaited below
  const index = tx.store.index('byKey');
  const revs = await Promise.all(sent.map((r) => index.getAllKeys(r.key)));
  const removed: string[] = [];
  const replaced: string[] = [];
  sent.forEach((r, i) => {
    const rowRevs = revs[i] ?? [];
    for (const rev of rowRevs) if (rev <= r.rev) tx.store.delete(rev).catch(() => undefined); // a failed delete aborts: reported through `done`
    (rowRevs.some((rev) => rev > r.rev) ? replaced : removed).push(r.key);
  });
  const next = limit > 0 ? await readRows(tx.store.getAll(rangeAfter(after), limit), index) : { records: [], bad: [] };
  await done;
  return { removed, replaced, next };
}

/** Rows -> records: each key once, at its first row's place, with its newest version. */
async function readRows(rows: Promise<QueueRow[]>, index: KeyIndex): Promise<Read> {
  const values: unknown[] = await rows;
  const bad: BadRow[] = [];
  const first = new Map<string, number>();
  let last: number | undefined;
  for (const value of values) {
    const row = value as QueueRow;
    last = row.rev;
    const reason = whyCorrupt(value);
    if (reason) bad.push({ key: row.rev, value, reason });
    else if (!first.has(row.key)) first.set(row.key, row.rev);
  }
  const keys = [...first.keys()];
  const versions = await Promise.all(keys.map((k) => index.getAll(k)));
  const records: OutboxRecord[] = [];
  keys.forEach((key, i) => {
    const mine = versions[i] ?? [];
    const newest = mine[mine.length - 1];
    // A newer version that is not sound is left to the read that reaches its row.
    if (newest && !whyCorrupt(newest)) records.push({ ...newest, seq: first.get(key)! });
  });
  return { records, bad, last };
}

function rangeAfter(after: number | undefined): IDBKeyRange | undefined {
  return after === undefined ? undefined : IDBKeyRange.lowerBound(after, true);
}
