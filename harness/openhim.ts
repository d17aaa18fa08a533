import { launchOpenhim, type LaunchedOpenhim } from '../src/cli/openhim-launch';
import { OpenhimApi } from '../src/runtime/receiver/openhim-api';
import { silentLogger } from '../src/runtime/receiver/log';

/** A REAL OpenHIM 4.0.5 (src/cli/openhim-launch.ts, tools/openhim) plus an API client logged in with the token scheme (what 4.0.5 speaks). */
export interface RealOpenhim extends LaunchedOpenhim {
  api: OpenhimApi;
}

/** Reruns and auto-retries are polled every `pollMs` (200 ms here; OpenHIM's default is 2 s). */
export async function startOpenhim(opts: { pollMs?: number } = {}): Promise<RealOpenhim> {
  const o = await launchOpenhim({ pollMs: opts.pollMs ?? 200 });
  return { ...o, api: new OpenhimApi({ apiUrl: o.apiUrl, username: o.username, password: o.password, auth: 'token', trustSelfSigned: true }, silentLogger) };
}

/** Polls `check` every 100 ms until it returns a value, at most `ms`; fails naming `what` (a bound, never a timing assertion). */
export async function eventually<T>(what: string, check: () => Promise<T | undefined>, ms = 180_000): Promise<T> {
  const until = Date.now() + ms;
  let last: unknown;
  while (Date.now() < until) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (e) {
      last = e;
    }
    await new Promise((ok) => setTimeout(ok, 100));
  }
  throw new Error(`gave up waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
}

export interface Transaction {
  _id: string;
  channelID: string;
  status: string;
  autoRetry?: boolean;
  autoRetryAttempt?: number;
  parentID?: string;
  childIDs?: string[];
  canRerun?: boolean;
  request: { path: string; method: string; timestamp: string; body?: string };
  response?: { status: number; headers?: Record<string, string>; body?: string };
  orchestrations?: { name: string; response?: { status: number } }[];
  error?: { message: string };
}

/** Every transaction OpenHIM stored (full: bodies and orchestrations). */
export async function transactions(api: OpenhimApi): Promise<Transaction[]> {
  return api.json<Transaction[]>('GET', `/transactions?filterLimit=100000&filterRepresentation=full`);
}
