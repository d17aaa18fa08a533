import type { OutboxRecord } from './records';
import { whyCorrupt } from './records';
import type { BadRow, OutboxDB } from './store';
import { splitConfirmed } from './settle';

/** Records read for the next batch, in queue order, and rows that must not be sent. */
export interface Read {
  records: OutboxRecord[];
  bad: BadRow[];
}

/** What one confirm + read transaction did. */
export interface ConfirmAndRead {
  removed: string[];
  /** Keys changed while in flight: they stayed queued and their current versions lead `next`. */
  replaced: string[];
  next: Read;
}

/**
 * The next `limit` records in queue order after seq `after` (from the start
 * when undefined). Starting past the last batch read matters: deleted rows
 * leave tombstones that a read from the start has to skip, which made each
 * read slower as a flush went on.
 */
export async function readAfter(db: OutboxDB, after: number | undefined, limit: number): Promise<Read> {
  const tx = db.transaction('records', 'readonly');
  const [values] = await Promise.all([tx.store.index('bySeq').getAll(rangeAfter(after), limit), tx.done]);
  return split(values);
}

/**
 * One readwrite transaction that deletes the confirmed records still at the
 * rev that was sent, and reads the next batch: the current versions of
 * records replaced in flight first (they must go again), then records after
 * `after`. Relaxed durability is safe: a lost delete only means a resend the
 * receiver stores once.
 */
export async function confirmAndRead(db: OutboxDB, sent: readonly OutboxRecord[], after: number | undefined, limit: number): Promise<ConfirmAndRead> {
  const tx = db.transaction('records', 'readwrite', { durability: 'relaxed' });
  const done = tx.done;
  done.catch(() => undefined); // awaited below
  const index = tx.store.index('bySeq');
  let current: unknown[] = [];
  if (sent.length) {
    // Squashes keep their seq, so one range read over the sent seqs sees every current version.
    let lo = Infinity;
    let hi = -Infinity;
    for (const r of sent) (lo = Math.min(lo, r.seq)), (hi = Math.max(hi, r.seq));
    current = await index.getAll(IDBKeyRange.bound(lo, hi));
  }
  const { removed, deletes, replaced, redo } = splitConfirmed(sent, current);
  for (const key of deletes) tx.store.delete(key).catch(() => undefined); // a failed delete aborts: reported through `done`
  const values = limit > redo.length ? await index.getAll(rangeAfter(after), limit - redo.length) : [];
  await done;
  const next = split([...redo, ...values]);
  return { removed, replaced, next };
}

function rangeAfter(after: number | undefined): IDBKeyRange | undefined {
  return after === undefined ? undefined : IDBKeyRange.lowerBound(after, true);
}

/** The records store has keyPath `key`, so a row's key is its value's `key` (checked by `whyCorrupt` for sound rows). */
function split(values: readonly unknown[]): Read {
  const records: OutboxRecord[] = [];
  const bad: BadRow[] = [];
  for (const value of values) {
    const reason = whyCorrupt(value);
    if (reason) bad.push({ key: (value as { key: IDBValidKey }).key, value, reason });
    else records.push(value as OutboxRecord);
  }
  return { records, bad };
}
