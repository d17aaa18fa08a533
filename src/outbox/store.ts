import { openDB, type IDBPDatabase } from 'idb';
import type { Resource } from 'fhir/r4';
import { keyOf, whyCorrupt, type OutboxRecord } from './records';
import { SCHEMA_VERSION, upgrade, type OutboxSchema, type QuarantineEntry } from './schema';

export type OutboxDB = IDBPDatabase<OutboxSchema>;

/** A value found in the records store that must not be sent. */
export interface BadRow {
  key: IDBValidKey;
  value: unknown;
  reason: string;
}

export function openStore(name: string, onBlocking: () => void): Promise<OutboxDB> {
  return openDB<OutboxSchema>(name, SCHEMA_VERSION, {
    // A failed step aborts the versionchange transaction, so openDB rejects and nothing half-migrates.
    upgrade: (db, oldVersion, _newVersion, tx) => void upgrade(db, oldVersion, tx).catch(() => abortQuietly(tx)),
    // Another tab needs a newer schema: let it upgrade rather than block it forever.
    blocking: onBlocking,
  });
}

/**
 * Stores resources in one transaction: a new key takes the next queue
 * position, a replaced key keeps its position and gets a new rev. All or
 * nothing: a quota failure leaves the queue as it was.
 */
export async function writeResources(db: OutboxDB, resources: readonly Resource[], now: number): Promise<void> {
  const tx = db.transaction(['records', 'meta'], 'readwrite');
  const done = tx.done;
  done.catch(() => undefined); // awaited below; avoid an unhandled rejection if we throw first
  try {
    const records = tx.objectStore('records');
    // One round trip for all reads, then fire every write: IndexedDB latency, not CPU, bounds enqueue.
    const [stored, previous] = await Promise.all([tx.objectStore('meta').get('counter'), Promise.all(resources.map((r) => records.get(keyOf(r))))]);
    let counter = stored ?? 0;
    const seqOf = new Map<string, number>();
    const writes: Promise<unknown>[] = [];
    resources.forEach((resource, i) => {
      const key = keyOf(resource);
      const rev = ++counter;
      const seq = seqOf.get(key) ?? validSeq(previous[i]) ?? rev;
      seqOf.set(key, seq);
      writes.push(records.put({ key, seq, rev, resource, enqueuedAt: now }));
    });
    writes.push(tx.objectStore('meta').put(counter, 'counter'));
    writes.forEach((w) => w.catch(() => undefined)); // a failed write aborts the transaction: reported once, through `done`
  } catch (e) {
    abortQuietly(tx);
    await done.catch(() => undefined);
    throw e;
  }
  await done;
}

/** Bad rows anywhere in the records store, including ones the seq index cannot see. */
export async function sweep(db: OutboxDB): Promise<BadRow[]> {
  const tx = db.transaction('records', 'readonly');
  const [all, indexed] = await Promise.all([tx.store.count(), tx.store.index('bySeq').count()]);
  if (all === indexed) return [];
  const [keys, values] = await Promise.all([tx.store.getAllKeys(), tx.store.getAll(), tx.done]);
  return split(keys, values).bad;
}

function split(keys: IDBValidKey[], values: unknown[]): { records: OutboxRecord[]; bad: BadRow[] } {
  const records: OutboxRecord[] = [];
  const bad: BadRow[] = [];
  values.forEach((value, i) => {
    const reason = whyCorrupt(value) ?? (keys[i] !== (value as OutboxRecord).key ? 'stored under a different key' : null);
    if (reason) bad.push({ key: keys[i], value, reason });
    else records.push(value as OutboxRecord);
  });
  return { records, bad };
}

/**
 * Moves rows to the quarantine store in one transaction. `rev` guards
 * receiver refusals: a record replaced since it was sent stays queued.
 */
export async function quarantine(db: OutboxDB, rows: readonly (BadRow & { rev?: number })[], now: number): Promise<BadRow[]> {
  const tx = db.transaction(['records', 'quarantine'], 'readwrite');
  const moved: BadRow[] = [];
  await Promise.all([
    ...rows.map(async (row) => {
      if (row.rev !== undefined) {
        const current = await tx.objectStore('records').get(row.key as string);
        if (current?.rev !== row.rev) return;
      }
      const entry: QuarantineEntry = { key: row.key, reason: row.reason, at: now, value: row.value };
      await tx.objectStore('quarantine').add(entry);
      await tx.objectStore('records').delete(row.key as string);
      moved.push(row);
    }),
    tx.done,
  ]);
  return moved;
}

export function countRecords(db: OutboxDB): Promise<number> {
  return db.count('records');
}

export function listQuarantine(db: OutboxDB): Promise<QuarantineEntry[]> {
  return db.getAll('quarantine');
}

function validSeq(v: unknown): number | undefined {
  const seq = (v as Partial<OutboxRecord> | undefined)?.seq;
  return Number.isSafeInteger(seq) ? seq : undefined;
}

function abortQuietly(tx: { abort(): void }): void {
  try {
    tx.abort();
  } catch {
    // already finished or aborted by the failure itself
  }
}
