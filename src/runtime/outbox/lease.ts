import type { OutboxContext } from './context';
import { DEFAULT_TIMEOUT_MS } from './options';
import type { Lease } from './schema';
import type { OutboxDB } from './store';

/**
 * Runs `fn` as the only tab (or worker) flushing the queue `name`: two tabs
 * sending the same records at once would double them. Through the Web
 * Locks API where it exists, else through a lease in the database (below),
 * which `fn` renews before each request.
 */
export function asOnlySender<T>(ctx: OutboxContext, name: string, owner: string, fn: (renew: () => Promise<void>) => Promise<T>): Promise<T> {
  const lockName = `cht-fhir-outbox:${name}`;
  const locks = (globalThis.navigator as Navigator | undefined)?.locks;
  if (locks) return locks.request(lockName, () => fn(() => Promise.resolve())).then((r) => r);
  return withLease(ctx.db, lockName, owner, (ctx.opts.timeoutMs ?? DEFAULT_TIMEOUT_MS) + 5000, ctx.closed, fn);
}

/** The lease could not be renewed: another tab took it over after it expired. */
class LeaseLost extends Error {}

/**
 * One flushing tab per queue where the Web Locks API is missing (plain HTTP
 * on a LAN address): a lease row in the queue's own database, taken and
 * renewed in readwrite transactions (so two tabs cannot both hold it), that
 * expires after `ttlMs` if its tab dies. A waiting tab retries when the
 * holder announces the release on a BroadcastChannel, or when the lease
 * expires. The holder renews it before every request and stops if it lost it.
 */
async function withLease<T>(
  db: OutboxDB,
  channelName: string,
  owner: string,
  ttlMs: number,
  closed: () => boolean,
  fn: (renew: () => Promise<void>) => Promise<T>,
): Promise<T> {
  const channel = typeof BroadcastChannel === 'function' ? new BroadcastChannel(channelName) : undefined;
  try {
    for (;;) {
      if (closed()) throw new Error('outbox closed');
      const held = await take(db, owner, ttlMs, false);
      if (held === true) break;
      await released(channel, Math.max(10, Math.min(held - Date.now(), ttlMs)));
    }
    try {
      return await fn(async () => {
        if ((await take(db, owner, ttlMs, true)) !== true) throw new LeaseLost('another tab took over flushing this queue');
      });
    } finally {
      await give(db, owner).catch(() => undefined);
      channel?.postMessage('released');
    }
  } finally {
    channel?.close();
  }
}

/** Takes or renews the lease: true, or when the other holder's lease ends. `renewOnly` never takes a lease someone else holds or held. */
async function take(db: OutboxDB, owner: string, ttlMs: number, renewOnly: boolean): Promise<true | number> {
  const tx = db.transaction('meta', 'readwrite');
  const lease = (await tx.store.get('lease')) as Lease | undefined;
  const now = Date.now();
  const mine = lease?.owner === owner;
  if (!mine && (renewOnly || (lease && lease.until > now))) {
    await tx.done;
    return lease && lease.until > now ? lease.until : now;
  }
  await tx.store.put({ owner, until: now + ttlMs }, 'lease');
  await tx.done;
  return true;
}

async function give(db: OutboxDB, owner: string): Promise<void> {
  const tx = db.transaction('meta', 'readwrite');
  if (((await tx.store.get('lease')) as Lease | undefined)?.owner === owner) await tx.store.delete('lease');
  await tx.done;
}

function released(channel: BroadcastChannel | undefined, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      channel?.removeEventListener('message', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    channel?.addEventListener('message', done);
  });
}
