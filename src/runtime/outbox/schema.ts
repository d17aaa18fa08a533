import type { DBSchema, IDBPDatabase, IDBPTransaction, StoreNames } from 'idb';
import type { QueueRow } from './records';

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
 * The schema (see docs/outbox.md). The outbox was first released at v3:
 * there are no older databases to upgrade, so opening only ever creates
 * this one. Version 3 stays the number, so queues already on phones open as
 * they are.
 */
export const SCHEMA_VERSION = 3;

type UpgradeTx = IDBPTransaction<OutboxSchema, StoreNames<OutboxSchema>[], 'versionchange'>;

/**
 * Creates the stores of a new database and gives the queue its id. A
 * database at an older version was made by unreleased code: it is refused
 * (the caller aborts the upgrade, so opening fails and leaves it untouched).
 */
export function createSchema(db: IDBPDatabase<OutboxSchema>, oldVersion: number, tx: UpgradeTx): void {
  if (oldVersion !== 0) throw new Error(`outbox database at unreleased schema v${oldVersion}: delete it`);
  db.createObjectStore('queue', { keyPath: 'rev', autoIncrement: true }).createIndex('byKey', 'key');
  db.createObjectStore('meta');
  db.createObjectStore('quarantine', { keyPath: 'qid', autoIncrement: true });
  // A failed put aborts the versionchange transaction: openDB rejects.
  tx.objectStore('meta')
    .put(crypto.randomUUID(), 'id')
    .catch(() => undefined);
}
