import type { OutboxEventMap } from './events';
import type { ValidationIssue } from './validate';

/** Thrown by `enqueue` when a resource is refused; nothing of that call was stored. */
export class OutboxValidationError extends Error {
  override readonly name = 'OutboxValidationError';
  constructor(readonly issues: readonly ValidationIssue[]) {
    super(`invalid resource: ${issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ')}`);
  }
}

/** Thrown by `enqueue` when the browser's storage quota refused the write; nothing of that call was stored. */
export class OutboxQuotaError extends Error {
  override readonly name = 'OutboxQuotaError';
  constructor(readonly cause: unknown) {
    super(`storage quota exceeded: the records were not queued (${describe(cause)})`);
  }
}

/**
 * `flush()` rejects with this when the receiver refuses our credentials
 * (401/403): nothing is lost and retries go on with backoff, but only the
 * caller can fix it (new credentials through the `headers` option).
 */
export class OutboxAuthError extends Error {
  override readonly name = 'OutboxAuthError';
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** The receiver could not be reached or asked us to come back later: the flush stops and is retried on the backoff. */
export class RetryLater extends Error {}

/** Reports a failed IndexedDB operation (as the 'error' event) and gives the error to reject with. */
export function storageFailure(e: unknown, report: (detail: OutboxEventMap['error']) => void): unknown {
  report({ kind: isQuotaError(e) ? 'quota' : 'storage', message: describe(e) });
  return isQuotaError(e) ? new OutboxQuotaError(e) : e;
}

export function isQuotaError(e: unknown): boolean {
  return typeof e === 'object' && e !== null && (e as { name?: unknown }).name === 'QuotaExceededError';
}

export function describe(e: unknown): string {
  return e instanceof Error || (typeof e === 'object' && e !== null && 'message' in e) ? String((e as Error).message) : String(e);
}
