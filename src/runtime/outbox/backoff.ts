export interface BackoffOptions {
  /** First delay before jitter (ms). */
  baseMs?: number;
  /** Ceiling before jitter (ms). */
  maxMs?: number;
  /** Source of jitter in [0, 1); injectable for tests. */
  random?: () => number;
}

/**
 * Delay before retry number `attempt` (0-based): exponential, capped, with
 * "equal jitter" (half fixed, half random) so many phones coming back online
 * together do not hit the receiver in lockstep, yet never retry at once.
 */
export function backoffDelay(attempt: number, opts: BackoffOptions = {}): number {
  const base = opts.baseMs ?? 1000;
  const max = opts.maxMs ?? 5 * 60 * 1000;
  const cap = Math.min(max, base * 2 ** Math.min(attempt, 30));
  const r = (opts.random ?? Math.random)();
  return Math.round(cap / 2 + (cap / 2) * r);
}
