import type { Bundle, Resource } from 'fhir/r4';
import type { OutboxContext } from './context';
import { OutboxValidationError, storageFailure } from './errors';
import { OutboxEvents, type OutboxEventMap, type OutboxEventType } from './events';
import { runFlush, type FlushResult } from './flush-run';
import { GroupCommit } from './group-commit';
import { intake } from './intake';
import { asOnlySender } from './lease';
import { autoFlushes, checkOptions, DEFAULT_MAX_BACKOFF_MS, DEFAULT_NAME, type OutboxOptions } from './options';
import { quarantineOf, sweepQueue, type Quarantine } from './quarantine';
import { keyOf } from './records';
import { FlushScheduler } from './scheduler';
import { countRecords, openStore, queueId, writeResources, type OutboxDB } from './store';

/**
 * The outbox: a facade over its parts, each doing one job. Checks at
 * enqueue (intake.ts), group commit (group-commit.ts), when flushes run and
 * retry (scheduler.ts), one sender across tabs (lease.ts), one flush run
 * (flush-run.ts, pipeline.ts), sending a batch and acting on the answer
 * (deliver.ts, transaction.ts), the quarantine (quarantine.ts).
 */
export class Outbox extends OutboxEvents {
  private closed = false;
  private readonly abort = new AbortController();
  private readonly ctx: OutboxContext;
  private readonly writes: GroupCommit;
  private readonly flushes: FlushScheduler;
  /** What could not be sent (see `Quarantine`). */
  readonly quarantine: Quarantine;

  /** Use `openOutbox`. */
  constructor(
    private readonly db: OutboxDB,
    private readonly opts: OutboxOptions,
    /** This queue's id: versions go out as source version `urn:uuid:<id>#<rev>` (source-version.ts). */
    readonly id: string,
  ) {
    super();
    const emit = <K extends OutboxEventType>(type: K, detail: OutboxEventMap[K]) => this.emit(type, detail);
    const ctx = (this.ctx = { db, opts, id, signal: this.abort.signal, closed: () => this.closed, emit });
    this.writes = new GroupCommit(
      (resources) => writeResources(db, resources, Date.now()),
      (e) => storageFailure(e, (d) => emit('error', d)),
    );
    const tab = crypto.randomUUID();
    this.flushes = new FlushScheduler({
      run: (mark) => asOnlySender(ctx, this.name, tab, (renew) => runFlush(ctx, { renew, progressed: () => this.flushes.progressed() }, mark)),
      closed: ctx.closed,
      auto: this.auto,
      backoff: { maxMs: DEFAULT_MAX_BACKOFF_MS, ...opts.backoff },
      retrying: (d) => emit('retry', d),
    });
    this.quarantine = quarantineOf(ctx, () => {
      if (this.auto) this.kick();
    });
  }

  private get auto(): boolean {
    return autoFlushes(this.opts);
  }

  /**
   * Validates and stores a resource, or every resource of a transaction/batch
   * Bundle, replacing queued versions of the same `Type/id`. Resolves with the
   * keys once they are durably queued. Refuses the whole call with
   * `OutboxValidationError` if any resource is invalid, `OutboxQuotaError` if
   * storage is full.
   */
  async enqueue(input: Resource | Bundle): Promise<string[]> {
    return this.store([input], '');
  }

  /**
   * `enqueue` for many inputs at once: all are checked, then stored in one
   * IndexedDB transaction, all or nothing (issue paths start with `[index]`).
   * For callers holding many records: it avoids paying a commit per record.
   */
  async enqueueMany(inputs: readonly (Resource | Bundle)[]): Promise<string[]> {
    return this.store(inputs, '[i].');
  }

  private async store(inputs: readonly (Resource | Bundle)[], prefix: string): Promise<string[]> {
    if (this.closed) throw new Error('outbox is closed');
    const { resources, json, issues } = intake(inputs, prefix, this.opts);
    if (issues.length) throw new OutboxValidationError(issues);
    if (!resources.length) return [];
    const keys = [...new Set(resources.map(keyOf))];
    await this.writes.write(resources, json);
    this.emit('queued', { keys });
    if (this.auto) this.kick();
    return keys;
  }

  /**
   * Sends queued records until the queue is empty or a delivery fails (then a
   * retry is scheduled with backoff). Concurrent calls share one run.
   * Resolves when the queue drained, or with `error` set when a transient
   * failure stopped it (the outbox retries by itself: nothing to do).
   * Rejects when the caller must act: `OutboxAuthError` (401/403: give new
   * credentials), `OutboxQuotaError` or another storage error.
   */
  flush(): Promise<FlushResult> {
    return this.flushes.flush();
  }

  /** Number of records (distinct `Type/id`s) waiting to be delivered. */
  pending(): Promise<number> {
    return countRecords(this.db);
  }

  /** Stops timers and any request in flight and closes the database. Queued records stay for the next open. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.flushes.stop();
    this.abort.abort(new Error('outbox closed'));
    this.db.close();
  }

  get name(): string {
    return this.opts.name ?? DEFAULT_NAME;
  }

  /** Quarantines bad rows found anywhere in the store (run at open). */
  sweep(): Promise<number> {
    return sweepQueue(this.ctx);
  }

  /** Soon (after the current task), unless a flush runs (then once it ends) or a retry is already scheduled. */
  kick(): void {
    this.flushes.kick();
  }
}

/** Opens (creating if need be) the queue's database and quarantines any bad data already in it. */
export async function openOutbox(opts: OutboxOptions): Promise<Outbox> {
  checkOptions(opts);
  // The store's "another tab needs a newer schema" callback closes the outbox built below.
  const holder: { outbox?: Outbox } = {};
  const db = await openStore(opts.name ?? DEFAULT_NAME, () => holder.outbox?.close());
  const outbox = (holder.outbox = new Outbox(db, opts, await queueId(db)));
  await outbox.sweep();
  // Resume what an earlier page left queued, without waiting for an enqueue or `online`.
  if (autoFlushes(opts)) outbox.kick();
  return outbox;
}
