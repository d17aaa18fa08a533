import type { DBSchema, IDBPDatabase, IDBPTransaction, StoreNames } from 'idb';
import { whyCorrupt, type QueueRow } from './records';

/** A value taken out of the queue because it could not (or must not) be sent. */
export interface QuarantineEntry {
  /** Its id in the quarantine: what `quarantine.retry` and `quarantine.discard` take. */
  qid?: number;
  /** The queue key it had (`Type/id` for a record refused by the receiver, a row number for a corrupt row). */
  key?: IDBValidKey;
  reason: string;
  at: number;
  /** Exactly what was found, kept for inspection. */
  value: unknown;
}

/** Who may flush the queue when the Web Locks API is missing (see `lease.ts`). */
export interface Lease {
  owner: string;
  until: number;
}

export interface OutboxSchema extends DBSchema {
  /**
   * The queue, append only: one row per enqueued version, `rev` handed out
   * by the store's key generator (it never goes back, across reloads and
   * tabs). A `Type/id` may have several rows: its first row is its place in
   * the queue, its highest `rev` the version sent.
   */
  queue: { key: number; value: QueueRow; indexes: { byKey: string } };
  /** `id`: this queue's UUID (its `meta.source`, the source of its versions); `lease`: the flushing tab without Web Locks. */
  meta: { key: string; value: string | Lease };
  quarantine: { key: number; value: QuarantineEntry };
}

/**
 * Schema history. v1: `records` keyed by `key`, values `{key, resource,
 * enqueuedAt}`. v2: adds `seq`/`rev`, the `bySeq` index, `meta` (a `counter`)
 * and `quarantine`. v3: replaces `records` and the counter with the
 * append-only `queue` (an enqueue is one put, no read), and gives the queue
 * an id. Each step upgrades from the previous one, so any older database
 * reaches the current version and a fresh one runs them all.
 */
export const SCHEMA_VERSION = 3;

type UpgradeTx = IDBPTransaction<OutboxSchema, StoreNames<OutboxSchema>[], 'versionchange'>;
/** The v1/v2 stores, gone since v3. */
type Legacy = {
  objectStore(name: string): {
    getAll(): Promise<unknown[]>;
    getAllKeys(): Promise<IDBValidKey[]>;
    get(k: string): Promise<unknown>;
    put(v: unknown, k?: string): Promise<unknown>;
    delete(k: IDBValidKey): Promise<void>;
    createIndex(n: string, p: string): unknown;
  };
};
type LegacyDb = { createObjectStore(name: string, opts?: IDBObjectStoreParameters): unknown; deleteObjectStore(name: string): void };

export async function upgrade(db: IDBPDatabase<OutboxSchema>, oldVersion: number, tx: UpgradeTx): Promise<void> {
  const legacyDb = db as unknown as LegacyDb;
  const legacy = tx as unknown as Legacy;
  if (oldVersion < 1) legacyDb.createObjectStore('records', { keyPath: 'key' });
  if (oldVersion < 2) await toV2(legacyDb, legacy);
  if (oldVersion < 3) await toV3(db, legacyDb, legacy, tx);
}

async function toV2(db: LegacyDb, tx: Legacy): Promise<void> {
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
      await tx.objectStore('quarantine').put({ key, reason: `schema v1 to v2: ${reason}`, at: Date.now(), value });
      await records.delete(key);
    } else {
      counter++;
      await records.put(upgraded);
    }
  }
  await tx.objectStore('meta').put(counter, 'counter');
}

/**
 * v2 -> v3: a record `{seq, rev}` becomes a row at `seq` (its place) and,
 * when it was replaced since, one at `rev` (its version), so order and
 * versions already sent are kept; the key generator is moved past the v2
 * counter, so every later version is higher than any sent before.
 */
async function toV3(db: IDBPDatabase<OutboxSchema>, legacyDb: LegacyDb, legacy: Legacy, tx: UpgradeTx): Promise<void> {
  const old = (await legacy.objectStore('records').getAll()) as { key?: unknown; seq?: number; rev?: number; resource?: unknown; enqueuedAt?: number }[];
  const counter = Number(await legacy.objectStore('meta').get('counter')) || 0;
  await legacy.objectStore('meta').delete('counter');
  legacyDb.deleteObjectStore('records');
  const queue = db.createObjectStore('queue', { keyPath: 'rev', autoIncrement: true });
  queue.createIndex('byKey', 'key');
  const store = tx.objectStore('queue');
  let top = 0;
  for (const r of old) {
    const row = { key: r.key, resource: r.resource, enqueuedAt: r.enqueuedAt ?? 0 };
    const seq = Number.isSafeInteger(r.seq) && (r.seq as number) > 0 ? (r.seq as number) : undefined;
    const rev = Number.isSafeInteger(r.rev) && (r.rev as number) > 0 ? (r.rev as number) : undefined;
    for (const at of new Set([seq, rev])) {
      if (at === undefined) continue;
      await store.put({ ...row, rev: at } as QueueRow);
      top = Math.max(top, at);
    }
    if (seq === undefined && rev === undefined) await store.put(row as QueueRow); // a bad row: found and quarantined at open
  }
  if (counter > top) {
    // Moves the key generator past every version v2 handed out.
    await store.put({ rev: counter } as QueueRow);
    await store.delete(counter);
  }
  await tx.objectStore('meta').put(crypto.randomUUID(), 'id');
}

function enqueuedAt(v: unknown): number {
  const t = (v as { enqueuedAt?: unknown } | null)?.enqueuedAt;
  return typeof t === 'number' && Number.isFinite(t) ? t : 0;
}
