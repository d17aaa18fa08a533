import type { DBSchema, IDBPDatabase, IDBPTransaction, StoreNames } from 'idb';
import { whyCorrupt, type OutboxRecord } from './records';

/** A value taken out of the queue because it could not (or must not) be sent. */
export interface QuarantineEntry {
  qid?: number;
  /** The records-store key it had, when it had one. */
  key?: IDBValidKey;
  reason: string;
  at: number;
  /** Exactly what was found, kept for inspection. */
  value: unknown;
}

export interface OutboxSchema extends DBSchema {
  records: { key: string; value: OutboxRecord; indexes: { bySeq: number } };
  /** `counter`: last seq/rev handed out, shared by every tab using the database. */
  meta: { key: string; value: number };
  quarantine: { key: number; value: QuarantineEntry };
}

/**
 * Schema history. v1: `records` keyed by `key`, values `{key, resource,
 * enqueuedAt}`, no ordering and nowhere to put bad data. v2: adds `seq`/`rev`
 * (queue order and squash detection), the `bySeq` index, `meta` and
 * `quarantine`. Each step upgrades from the previous one, so any older
 * database reaches the current version and a fresh one runs them all.
 */
export const SCHEMA_VERSION = 2;

type UpgradeTx = IDBPTransaction<OutboxSchema, StoreNames<OutboxSchema>[], 'versionchange'>;

export async function upgrade(db: IDBPDatabase<OutboxSchema>, oldVersion: number, tx: UpgradeTx): Promise<void> {
  if (oldVersion < 1) db.createObjectStore('records', { keyPath: 'key' });
  if (oldVersion < 2) await toV2(db, tx);
}

async function toV2(db: IDBPDatabase<OutboxSchema>, tx: UpgradeTx): Promise<void> {
  db.createObjectStore('meta');
  db.createObjectStore('quarantine', { keyPath: 'qid', autoIncrement: true });
  const records = tx.objectStore('records');
  records.createIndex('bySeq', 'seq');
  // v1 kept no order: keep the enqueue time order, then key order.
  const keys = await records.getAllKeys();
  const values: unknown[] = await records.getAll();
  const rows = keys.map((key, i) => ({ key, value: values[i] }));
  rows.sort((a, b) => enqueuedAt(a.value) - enqueuedAt(b.value));
  let counter = 0;
  for (const { key, value } of rows) {
    const upgraded = typeof value === 'object' && value !== null ? { ...value, seq: counter + 1, rev: counter + 1 } : value;
    const reason = whyCorrupt(upgraded);
    if (reason) {
      await tx.objectStore('quarantine').add({ key, reason: `schema v1 to v2: ${reason}`, at: Date.now(), value });
      await records.delete(key);
    } else {
      counter++;
      await records.put(upgraded as OutboxRecord);
    }
  }
  await tx.objectStore('meta').put(counter, 'counter');
}

function enqueuedAt(v: unknown): number {
  const t = (v as { enqueuedAt?: unknown } | null)?.enqueuedAt;
  return typeof t === 'number' && Number.isFinite(t) ? t : 0;
}
