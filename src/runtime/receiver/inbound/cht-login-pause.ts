/**
 * CHT locks an IP out for the rest of a 10 s window after 10 failed logins
 * (api/src/middleware/rate-limiter.js: 429 to everything, right password or
 * not). So after a 429 or a refused login the client stops calling CHT for
 * a while (Retry-After, else 10 s; refused logins back off up to 5 min):
 * every request meanwhile fails at once as transient, and no retry keeps
 * the lockout alive. This holds that rule and its state, without I/O; the
 * clock is injectable.
 */
export const LOCKOUT_S = 10;
export const MAX_BACKOFF_S = 300;

/** A pause of CHT calls: how many seconds (whole, at least 1 when paused) and why. */
export interface Pause {
  seconds: number;
  why: string;
}

export class LoginPause {
  private until = 0;
  private refusedLogins = 0;
  private why = '';

  constructor(private readonly now: () => number = Date.now) {}

  /** The pause still running (CHT is not to be called now), or undefined. */
  current(): Pause | undefined {
    const seconds = Math.ceil((this.until - this.now()) / 1000);
    return seconds > 0 ? { seconds, why: this.why } : undefined;
  }

  /**
   * What CHT's answer (its status, its Retry-After header) says about its login
   * limit: the pause it starts (`what` names the call, for the message), or
   * undefined when the login went through.
   */
  afterAnswer(status: number, retryAfter: unknown, what: string): Pause | undefined {
    if (status === 429) return this.start(retrySeconds(retryAfter), `CHT answered 429 (too many failed logins from this IP) to ${what}`);
    if (status === 401 || status === 403) {
      const seconds = Math.min(LOCKOUT_S * 2 ** this.refusedLogins++, MAX_BACKOFF_S);
      return this.start(seconds, `CHT refused the receiver's credentials (${status}): check CHT_URL`);
    }
    this.refusedLogins = 0;
    return undefined;
  }

  private start(seconds: number, why: string): Pause {
    this.until = Math.max(this.until, this.now() + seconds * 1000);
    this.why = why;
    return { seconds, why };
  }
}

/** A 429's Retry-After in seconds (capped), else CHT's lockout window. */
function retrySeconds(retryAfter: unknown): number {
  const after = Number(retryAfter);
  return Number.isFinite(after) && after > 0 ? Math.min(after, MAX_BACKOFF_S) : LOCKOUT_S;
}
