import { openDB, unwrap, type IDBPDatabase, type IDBPObjectStore } from 'idb';
import type { Resource } from 'fhir/r4';
import { keyOf, whyCorrupt, type QueueRow } from './records';
import { createSchema, SCHEMA_VERSION, type OutboxSchema, type QuarantineEntry } from './schema';

export type OutboxDB = IDBPDatabase<OutboxSchema>;

/** A row found in the queue that must not be sent; `key` is its row key. */
export interface BadRow {
  key: IDBValidKey;
  value: unknown;
  reason: string;
}

/** A version the receiver refused: its rows up to `rev` leave the queue, unless a newer version was enqueued since. */
export interface Refused {
  key: string;
  rev: number;
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

/** Records waiting: distinct keys in the queue. */
export async function countRecords(db: OutboxDB): Promise<number> {
  const tx = db.transaction('queue', 'readonly');
  let n = 0;
  for (let c = await tx.store.index('byKey').openKeyCursor(null, 'nextunique'); c; c = await c.continue()) n++;
  await tx.done;
  return n;
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
export async function unquarantine(
  db: OutboxDB,
  qids: readonly number[],
  requeue: boolean,
  now: number,
): Promise<Record<number, 'queued' | 'superseded' | 'discarded' | 'unsound' | 'unknown'>> {
  const tx = db.transaction(['queue', 'quarantine'], 'readwrite');
  const q = tx.objectStore('quarantine');
  const out: Record<number, 'queued' | 'superseded' | 'discarded' | 'unsound' | 'unknown'> = {};
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

export function abortQuietly(tx: { abort(): void }): void {
  try {
    tx.abort();
  } catch {
    // already finished or aborted by the failure itself
  }
}
