import { backoffDelay, type BackoffOptions } from './backoff';
import { describe, OutboxAuthError } from './errors';
import type { OutboxEventMap } from './events';
import type { FlushResult, RunMark } from './flush-run';

export interface SchedulerDeps {
  /** One flush run (already made the only one across tabs). */
  run(mark: RunMark): Promise<FlushResult>;
  closed(): boolean;
  /** Flush by itself: soon after `kick`, on the retry timer, on `online`. */
  auto: boolean;
  backoff: BackoffOptions;
  /** Reports a scheduled retry (the 'retry' event). */
  retrying(detail: OutboxEventMap['retry']): void;
}

/** What follows a finished run: a retry on the backoff, another run soon (asked for while it ran), or nothing. */
export function followUp(why: string | undefined, mark: RunMark, error: unknown, again: boolean, auto: boolean): 'retry' | 'run' | 'none' {
  if (why && (mark.failedOver || error instanceof OutboxAuthError)) return 'retry';
  return again && auto ? 'run' : 'none';
}

/**
 * When flushes run: one at a time (concurrent calls share it), another soon
 * after `kick` (or once the current one ends), again on the backoff after a
 * failure, and at once on the browser's `online` event.
 */
export class FlushScheduler {
  private current?: Promise<FlushResult>;
  /** A run was asked for while one ran. */
  private again = false;
  private attempt = 0;
  private retryTimer?: ReturnType<typeof setTimeout>;
  private kickTimer?: ReturnType<typeof setTimeout>;
  private readonly onOnline = () => {
    if (this.deps.closed()) return;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.runQuietly();
  };

  constructor(private readonly deps: SchedulerDeps) {
    if (deps.auto) globalThis.addEventListener?.('online', this.onOnline);
  }

  flush(): Promise<FlushResult> {
    if (this.deps.closed()) return Promise.resolve({ delivered: 0, quarantined: 0, remaining: 0, error: 'outbox is closed' });
    if (this.current) {
      this.again = true;
      return this.current;
    }
    clearTimeout(this.kickTimer);
    this.kickTimer = undefined;
    const mark: RunMark = { failedOver: false };
    // Follow-ups are decided once this run is over, so a retry timer never finds it still running.
    const settled = (result: FlushResult | undefined, error?: unknown) => {
      this.current = undefined;
      if (!this.deps.closed()) {
        const why = result?.error ?? (error === undefined ? undefined : describe(error));
        const next = followUp(why, mark, error, this.again, this.deps.auto);
        if (next === 'retry') this.scheduleRetry(why!);
        else if (next === 'run') this.kick();
      }
      this.again = false;
    };
    this.current = this.deps.run(mark).then(
      (result) => (settled(result), result),
      (error: unknown) => {
        settled(undefined, error);
        throw error;
      },
    );
    return this.current;
  }

  /** Soon (after the current task), unless a flush runs (then once it ends) or a retry is already scheduled. */
  kick(): void {
    if (this.deps.closed()) return;
    if (this.current) this.again = true;
    else if (this.kickTimer === undefined && this.retryTimer === undefined) {
      this.kickTimer = setTimeout(() => {
        this.kickTimer = undefined;
        this.runQuietly();
      }, 0);
    }
  }

  /** A request was answered: the next failure starts the backoff from the beginning. */
  progressed(): void {
    this.attempt = 0;
  }

  stop(): void {
    clearTimeout(this.retryTimer);
    clearTimeout(this.kickTimer);
    globalThis.removeEventListener?.('online', this.onOnline);
  }

  /** A flush nobody awaits: its failures are in the events and the retry schedule. */
  private runQuietly(): void {
    this.flush().catch(() => undefined);
  }

  private scheduleRetry(error: string): void {
    const delayMs = backoffDelay(this.attempt++, this.deps.backoff);
    this.deps.retrying({ attempt: this.attempt, delayMs, error });
    if (!this.deps.auto) return;
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.runQuietly();
    }, delayMs);
  }
}
