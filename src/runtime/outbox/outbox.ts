import type { Bundle, Resource } from 'fhir/r4';
import { backoffDelay, type BackoffOptions } from './backoff';
import { describe, isQuotaError, OutboxAuthError, OutboxQuotaError, OutboxValidationError } from './errors';
import { OutboxEvents } from './events';
import { confirmAndRead, readAfter } from './batch-store';
import { withLease } from './lease';
import { pipelinedFlush, type Sent } from './pipeline';
import { keyOf, unpack, type OutboxRecord } from './records';
import type { QuarantineEntry } from './schema';
import { postTransaction, reasonOf, refusedEntries, type HeadersOption } from './send';
import {
  countRecords,
  listQuarantine,
  openStore,
  queueId,
  quarantine,
  sweep,
  unquarantine,
  writeResources,
  type BadRow,
  type OutboxDB,
  type Refused,
} from './store';
import { statusVerdict, verdicts } from './transaction';
import { sourceVersionUrl, withSourceVersion } from '../../core/source-version';
import type { ResourceValidator, ValidationIssue } from './validate';

export interface OutboxOptions {
  /** IndexedDB database name (default `cht-fhir-outbox`); one queue per name. */
  name?: string;
  /** Where transaction Bundles are POSTed, e.g. `https://receiver.example.org/cht-fhir/push`. */
  endpoint: string;
  /**
   * The deployment's canonical base, e.g. `https://fhir.example.org` (its
   * `identifier_base` without `/sid`): the source-version extension each
   * resource carries lives under it (`<base>/StructureDefinition/source-version`).
   */
  canonicalBase: string;
  /** Extra request headers (e.g. `authorization`), or a function giving them per request. */
  headers?: HeadersOption;
  fetch?: typeof fetch;
  /** Full validator run after the structural checks (e.g. R4 profile validation). */
  validate?: ResourceValidator;
  /** Resources per transaction (default 50, the embedded FHIR router's update limit per transaction). */
  batchSize?: number;
  /** Largest serialised resource accepted by `enqueue`, in characters. */
  maxResourceChars?: number;
  backoff?: BackoffOptions;
  /** Flush on open (what an earlier page left queued), after each enqueue, on the backoff timer and on `online` (default true). */
  autoFlush?: boolean;
  /** Per-request timeout (default 30 s). */
  timeoutMs?: number;
}

export interface FlushResult {
  delivered: number;
  quarantined: number;
  /** Records still queued when the flush ended. */
  remaining: number;
  /** Why the flush stopped early on a transient failure (the outbox retries by itself), if it did. */
  error?: string;
}

/** What happened to each quarantine id given to `retry` or `discard`. */
export type QuarantineOutcome = Record<number, 'queued' | 'superseded' | 'discarded' | 'unsound' | 'unknown'>;

/** The receiver could not be reached or asked us to come back later. */
class RetryLater extends Error {}

/** Default ceiling of the retry delay: one minute (before jitter, which only lowers it). */
export const DEFAULT_MAX_BACKOFF_MS = 60_000;

export class Outbox extends OutboxEvents {
  private closed = false;
  private flushing?: Promise<FlushResult>;
  private again = false;
  /** The last run stopped on a delivery failure worth retrying. */
  private failedOver = false;
  private attempt = 0;
  private retryTimer?: ReturnType<typeof setTimeout>;
  private kickTimer?: ReturnType<typeof setTimeout>;
  private readonly abort = new AbortController();
  private writes: { resources: Resource[]; resolve: () => void; reject: (e: unknown) => void }[] = [];
  private writing = false;
  /** Renews the fallback lease before each request, while a flush holds it. */
  private renew: () => Promise<void> = () => Promise.resolve();
  private readonly tab = crypto.randomUUID();
  private readonly onOnline = () => {
    if (this.closed) return;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.autoFlushNow();
  };

  /** Use `openOutbox`. */
  constructor(
    private readonly db: OutboxDB,
    private readonly opts: OutboxOptions,
    /** This queue's id: versions go out as source version `urn:uuid:<id>#<rev>` (source-version.ts). */
    readonly id: string,
  ) {
    super();
    if (this.auto) globalThis.addEventListener?.('online', this.onOnline);
  }

  /**
   * What could not be sent: corrupt rows, and versions the receiver refused
   * (with its reason). `retry` queues entries again (as new versions, unless
   * a newer version of the same resource is queued already: then they are
   * dropped as `superseded`); `discard` deletes them. Both take `qid`s.
   */
  readonly quarantine = {
    list: (): Promise<QuarantineEntry[]> => listQuarantine(this.db),
    retry: async (qids: readonly number[]): Promise<QuarantineOutcome> => {
      const out = await unquarantine(this.db, qids, true, Date.now());
      if (Object.values(out).includes('queued') && this.auto) this.kick();
      return out;
    },
    discard: (qids: readonly number[]): Promise<QuarantineOutcome> => unquarantine(this.db, qids, false, Date.now()),
  };

  private get auto(): boolean {
    return this.opts.autoFlush !== false;
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

  /** `prefix` names the input in issue paths (`[i].` is replaced by its index). */
  private async store(inputs: readonly (Resource | Bundle)[], prefix: string): Promise<string[]> {
    if (this.closed) throw new Error('outbox is closed');
    const all: Resource[] = [];
    const json: string[] = [];
    const issues: ValidationIssue[] = [];
    inputs.forEach((input, n) => {
      const at = prefix.replace('i', String(n));
      const found = unpack(input, this.opts.maxResourceChars);
      if (!found.issues.length && this.opts.validate)
        found.resources.forEach((r, i) =>
          found.issues.push(...prefixed(this.opts.validate!(r), found.resources.length > 1 ? `Bundle.entry[${i}].resource.` : '')),
        );
      issues.push(...prefixed(found.issues, at));
      all.push(...found.resources);
      json.push(...found.json);
    });
    if (issues.length) throw new OutboxValidationError(issues);
    if (!all.length) return [];
    const keys = [...new Set(all.map(keyOf))];
    await this.write(this.writing ? json.map((j) => JSON.parse(j) as Resource) : all);
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
    if (this.closed) return Promise.resolve({ delivered: 0, quarantined: 0, remaining: 0, error: 'outbox is closed' });
    if (this.flushing) {
      this.again = true;
      return this.flushing;
    }
    clearTimeout(this.kickTimer);
    this.kickTimer = undefined;
    const run = () => this.runFlush();
    const lockName = `cht-fhir-outbox:${this.name}`;
    const locks = (globalThis.navigator as Navigator | undefined)?.locks;
    // One flushing tab per queue: two tabs sending the same records at once would double them.
    const p: Promise<FlushResult> = locks
      ? locks.request(lockName, run).then((r) => r)
      : withLease(
          this.db,
          lockName,
          this.tab,
          (this.opts.timeoutMs ?? 30000) + 5000,
          () => this.closed,
          (renew) => {
            this.renew = renew;
            return run().finally(() => (this.renew = () => Promise.resolve()));
          },
        );
    // Follow-ups are decided once this run is over, so a retry timer never finds it still running.
    const settled = (result: FlushResult | undefined, error?: unknown) => {
      this.flushing = undefined;
      if (!this.closed) {
        const why = result?.error ?? (error === undefined ? undefined : describe(error));
        if (why && (this.failedOver || error instanceof OutboxAuthError)) this.scheduleRetry(why);
        else if (this.again && this.auto) this.kick();
      }
      this.again = false;
      this.failedOver = false;
    };
    this.flushing = p.then(
      (result) => (settled(result), result),
      (error: unknown) => {
        settled(undefined, error);
        throw error;
      },
    );
    return this.flushing;
  }

  /** Number of records (distinct `Type/id`s) waiting to be delivered. */
  pending(): Promise<number> {
    return countRecords(this.db);
  }

  /** Stops timers and any request in flight and closes the database. Queued records stay for the next open. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.retryTimer);
    clearTimeout(this.kickTimer);
    globalThis.removeEventListener?.('online', this.onOnline);
    this.abort.abort(new Error('outbox closed'));
    this.db.close();
  }

  get name(): string {
    return this.opts.name ?? DEFAULT_NAME;
  }

  /** Quarantines bad rows found anywhere in the store (run at open). */
  async sweep(): Promise<number> {
    return this.quarantineRows(await sweep(this.db));
  }

  /** Soon (after the current task), unless a flush runs (then once it ends) or a retry is already scheduled. */
  kick(): void {
    if (this.closed) return;
    if (this.flushing) this.again = true;
    else if (this.kickTimer === undefined && this.retryTimer === undefined) {
      this.kickTimer = setTimeout(() => {
        this.kickTimer = undefined;
        this.autoFlushNow();
      }, 0);
    }
  }

  /** A flush nobody awaits: its failures are in the events and the retry schedule. */
  private autoFlushNow(): void {
    this.flush().catch(() => undefined);
  }

  /** Group commit: enqueues arriving while a write runs share the next transaction. */
  private write(resources: Resource[]): Promise<void> {
    return new Promise((resolve, reject) => {
      this.writes.push({ resources, resolve, reject });
      if (!this.writing) void this.drainWrites();
    });
  }

  private async drainWrites(): Promise<void> {
    this.writing = true;
    while (this.writes.length) {
      const group = this.writes.splice(0);
      try {
        await writeResources(
          this.db,
          group.flatMap((g) => g.resources),
          Date.now(),
        );
        group.forEach((g) => g.resolve());
      } catch (e) {
        const err = this.storageFailure(e);
        group.forEach((g) => g.reject(err));
      }
    }
    this.writing = false;
  }

  private async runFlush(): Promise<FlushResult> {
    const result: FlushResult = { delivered: 0, quarantined: 0, remaining: 0 };
    const size = this.opts.batchSize ?? 50;
    try {
      await pipelinedFlush(
        {
          batchSize: size,
          closed: () => this.closed,
          read: (after, limit) => readAfter(this.db, after, limit),
          confirmAndRead: (sent, after, limit) => confirmAndRead(this.db, sent, after, limit),
          send: (batch) => this.send(batch),
          quarantine: (bad) => this.quarantineRows(bad),
          delivered: (keys, replaced) => this.emit('delivered', { keys, replaced }),
        },
        result,
      );
      result.quarantined += await this.sweep();
      this.attempt = 0;
      this.emit('idle', {});
    } catch (e) {
      result.error = describe(e);
      if (e instanceof RetryLater) this.failedOver = true;
      else if (e instanceof OutboxAuthError || this.closed) {
        if (e instanceof OutboxAuthError) throw e;
      } else throw this.storageFailure(e);
    }
    try {
      result.remaining = this.closed ? 0 : await countRecords(this.db);
    } catch (e) {
      // Not "0 remaining": a caller would believe the queue is empty.
      throw this.storageFailure(e);
    }
    return result;
  }

  /** Reports a failed IndexedDB operation (the 'error' event) and gives the error flush() rejects with. */
  private storageFailure(e: unknown): unknown {
    this.emit('error', { kind: isQuotaError(e) ? 'quota' : 'storage', message: describe(e) });
    return isQuotaError(e) ? new OutboxQuotaError(e) : e;
  }

  /**
   * Posts one ordered batch, each resource stamped with its version. A fully
   * accepted batch is left for the caller to confirm. When the receiver
   * refuses entries and names them (`Bundle.entry[i]` in its
   * OperationOutcome), exactly those are quarantined and the rest is sent
   * again at once; a refusal naming none is split until isolated (a receiver
   * outside this project's contract).
   */
  private async send(batch: OutboxRecord[]): Promise<Sent> {
    await this.renew();
    this.emit('sending', { keys: batch.map((r) => r.key) });
    let answer;
    try {
      answer = await postTransaction(
        batch.map((r) => withSourceVersion(r.resource, { source: `urn:uuid:${this.id}`, version: r.rev }, sourceVersionUrl(this.opts.canonicalBase))),
        {
          endpoint: this.opts.endpoint,
          headers: this.opts.headers,
          fetch: this.opts.fetch ?? globalThis.fetch.bind(globalThis),
          timeoutMs: this.opts.timeoutMs ?? 30000,
          signal: this.abort.signal,
        },
      );
    } catch (e) {
      throw this.closed ? e : new RetryLater(`no answer from the receiver: ${describe(e)}`);
    }
    const { status, body } = answer;
    if (status >= 200 && status < 300) {
      // Progress: the next failure starts the backoff from the beginning.
      this.attempt = 0;
      const v = verdicts(batch.length, body);
      return v.every((x) => x === 'confirmed') ? 'accepted' : this.settle(batch, v, body);
    }
    if (status === 401 || status === 403) throw new OutboxAuthError(status, reasonOf(status, body));
    if (statusVerdict(status) === 'retry') throw new RetryLater(reasonOf(status, body));
    const named = refusedEntries(body, batch.length);
    if (named.size || batch.length === 1) {
      const refused = named.size ? batch.filter((_r, i) => named.has(i)) : batch;
      const quarantined = await this.quarantineRows(
        [],
        refused.map((r) => ({ key: r.key, rev: r.rev, value: r, reason: named.get(batch.indexOf(r)) ?? reasonOf(status, body) })),
      );
      const rest = batch.filter((r) => !refused.includes(r));
      if (!rest.length) return { delivered: 0, quarantined };
      const d = await this.deliver(rest);
      return { delivered: d.delivered, quarantined: quarantined + d.quarantined };
    }
    const half = Math.ceil(batch.length / 2);
    const a = await this.deliver(batch.slice(0, half));
    const b = await this.deliver(batch.slice(half));
    return { delivered: a.delivered + b.delivered, quarantined: a.quarantined + b.quarantined };
  }

  /** Sends and settles one batch on its own (the parts of a split batch). */
  private async deliver(batch: OutboxRecord[]): Promise<{ delivered: number; quarantined: number }> {
    const sent = await this.send(batch);
    if (sent !== 'accepted') return sent;
    return this.settle(
      batch,
      batch.map(() => 'confirmed'),
      undefined,
    );
  }

  /** Applies per-entry verdicts of a 2xx answer. */
  private async settle(batch: OutboxRecord[], v: ReturnType<typeof verdicts>, body: unknown): Promise<{ delivered: number; quarantined: number }> {
    if (this.closed) throw new Error('outbox closed');
    const { removed, replaced } = await confirmAndRead(
      this.db,
      batch.filter((_, i) => v[i] === 'confirmed'),
      undefined,
      0,
    );
    if (removed.length || replaced.length) this.emit('delivered', { keys: removed, replaced });
    const refused = batch.filter((_, i) => v[i] === 'rejected');
    const entries = (body as Bundle | undefined)?.entry ?? [];
    const quarantined = await this.quarantineRows(
      [],
      refused.map((r) => ({
        key: r.key,
        value: r,
        rev: r.rev,
        reason: reasonOf(Number(entries[batch.indexOf(r)]?.response?.status), entries[batch.indexOf(r)]?.response?.outcome),
      })),
    );
    if (v.includes('retry')) throw new RetryLater('the receiver failed some entries of a batch');
    return { delivered: removed.length, quarantined };
  }

  private async quarantineRows(bad: BadRow[], refused: Refused[] = []): Promise<number> {
    if (!bad.length && !refused.length) return 0;
    const moved = await quarantine(this.db, bad, refused, Date.now());
    if (moved.length) this.emit('quarantined', { entries: moved.map((r) => ({ key: String(r.key as string | number), reason: r.reason })) });
    return moved.length;
  }

  private scheduleRetry(error: string): void {
    if (this.closed) return;
    const delayMs = backoffDelay(this.attempt++, { maxMs: DEFAULT_MAX_BACKOFF_MS, ...this.opts.backoff });
    this.emit('retry', { attempt: this.attempt, delayMs, error });
    if (!this.auto) return;
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      void this.flush();
    }, delayMs);
  }
}

export const DEFAULT_NAME = 'cht-fhir-outbox';

/** Opens (creating if need be) the queue's database and quarantines any bad data already in it. */
export async function openOutbox(opts: OutboxOptions): Promise<Outbox> {
  if (!opts?.endpoint) throw new Error('openOutbox: endpoint is required');
  if (!/^https?:\/\/\S+$/.test(opts.canonicalBase ?? ''))
    throw new Error("openOutbox: canonicalBase is required: the deployment's canonical base, e.g. https://fhir.example.org (identifier_base without /sid)");
  // The store's "another tab upgrades the schema" callback closes the outbox built below.
  const holder: { outbox?: Outbox } = {};
  const db = await openStore(opts.name ?? DEFAULT_NAME, () => holder.outbox?.close());
  const outbox = (holder.outbox = new Outbox(db, opts, await queueId(db)));
  await outbox.sweep();
  // Resume what an earlier page left queued, without waiting for an enqueue or `online`.
  if (opts.autoFlush !== false) outbox.kick();
  return outbox;
}

function prefixed(issues: readonly ValidationIssue[] | undefined | void, prefix: string): ValidationIssue[] {
  return (issues ?? []).map((i) => ({ path: prefix + i.path, message: i.message }));
}
