import { openDB, unwrap, type IDBPDatabase } from 'idb';
import type { Resource } from 'fhir/r4';
import { keyOf, whyCorrupt } from './records';
import { createSchema, SCHEMA_VERSION, type OutboxSchema } from './schema';

export type OutboxDB = IDBPDatabase<OutboxSchema>;

/** A row found in the queue that must not be sent; `key` is its row key. */
export interface BadRow {
  key: IDBValidKey;
  value: unknown;
  reason: string;
}

export function openStore(name: string, onBlocking: () => void): Promise<OutboxDB> {
  return openDB<OutboxSchema>(name, SCHEMA_VERSION, {
    // A failure aborts the versionchange transaction, so openDB rejects and nothing is half made.
    upgrade: (db, oldVersion, _newVersion, tx) => {
      try {
        createSchema(db, oldVersion, tx);
      } catch {
        abortQuietly(tx);
      }
    },
    // Another tab needs a newer schema: let it upgrade rather than block it forever.
    blocking: onBlocking,
  });
}

/** This queue's id (made with the database): the `<source>` of the versions it sends. */
export async function queueId(db: OutboxDB): Promise<string> {
  const id = await db.get('meta', 'id');
  if (typeof id !== 'string') throw new Error('outbox database has no id');
  return id;
}

/**
 * Appends one row per resource in one transaction: no read, the version
 * comes from the store's key generator. All or nothing: a quota failure
 * leaves the queue as it was. Resolves once committed.
 */
export function writeResources(db: OutboxDB, resources: readonly Resource[], now: number): Promise<void> {
  // The plain IndexedDB API: this is the one hot path, and a put's request needs no promise of its own.
  const tx = unwrap(db).transaction('queue', 'readwrite');
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    // A failed put aborts the transaction: reported once, here.
    tx.onabort = () => reject(tx.error ?? new DOMException('transaction aborted', 'AbortError'));
    try {
      const store = tx.objectStore('queue');
      for (const resource of resources) store.put({ key: keyOf(resource), resource, enqueuedAt: now });
    } catch (e) {
      tx.onabort = () => reject(e instanceof Error ? e : new Error(String(e)));
      abortQuietly(tx);
    }
  });
}

/** Rows anywhere in the queue that the key index cannot see (no string key): they would never be sent. */
export async function sweep(db: OutboxDB): Promise<BadRow[]> {
  const tx = db.transaction('queue', 'readonly');
  const [all, indexed] = await Promise.all([tx.store.count(), tx.store.index('byKey').count()]);
  if (all === indexed) return [];
  const [keys, values] = await Promise.all([tx.store.getAllKeys(), tx.store.getAll(), tx.done]);
  const bad: BadRow[] = [];
  values.forEach((value, i) => {
    const reason = whyCorrupt(value);
    if (reason) bad.push({ key: keys[i]!, value, reason }); // getAllKeys and getAll of one transaction align
  });
  return bad;
}

/** Records waiting: distinct keys in the queue. */
export async function countRecords(db: OutboxDB): Promise<number> {
  const tx = db.transaction('queue', 'readonly');
  let n = 0;
  for (let c = await tx.store.index('byKey').openKeyCursor(null, 'nextunique'); c; c = await c.continue()) n++;
  await tx.done;
  return n;
}

function abortQuietly(tx: { abort(): void }): void {
  try {
    tx.abort();
  } catch {
    // already finished or aborted by the failure itself
  }
}
