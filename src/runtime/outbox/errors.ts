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

export function isQuotaError(e: unknown): boolean {
  return typeof e === 'object' && e !== null && (e as { name?: unknown }).name === 'QuotaExceededError';
}

export function describe(e: unknown): string {
  return e instanceof Error || (typeof e === 'object' && e !== null && 'message' in e) ? String((e as Error).message) : String(e);
}
