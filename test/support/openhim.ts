import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { OpenhimApi } from '../../src/receiver/openhim-api';
import { silentLogger } from '../../src/receiver/log';

/**
 * A REAL OpenHIM (openhim-core 4.0.5 from the npm registry, on the in-memory
 * MongoDB of tools/openhim) as a child process of the test, on loopback
 * ports: tools/openhim/launch.js builds it on first use (Maven + npm ci),
 * starts it and prints its URLs when the API and router answer. Its stdin
 * is a pipe: if this process dies, the launcher sees it close and stops
 * OpenHIM and MongoDB with it.
 */
export interface RealOpenhim {
  /** https (self-signed), e.g. https://127.0.0.1:41234 */
  apiUrl: string;
  /** http router, e.g. http://127.0.0.1:41235 */
  routerUrl: string;
  username: string;
  password: string;
  version: string;
  /** An API client logged in with the token scheme (what 4.0.5 speaks). */
  api: OpenhimApi;
  stop(): Promise<void>;
}

const ROOT = path.resolve(__dirname, '../..');
const LAUNCH = path.join(ROOT, 'tools/openhim/launch.js');
const READY_WITHIN_MS = 300_000;

/** Builds tools/openhim if needed (a cold build downloads from Maven Central and the npm registry). */
export function buildOpenhim(): void {
  execFileSync('bash', [path.join(ROOT, 'tools/openhim/build.sh')], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
}

export async function startOpenhim(opts: { pollMs?: number } = {}): Promise<RealOpenhim> {
  buildOpenhim();
  const child: ChildProcess = spawn(process.execPath, [LAUNCH, `--poll-ms=${opts.pollMs ?? 200}`], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
  let log = '';
  child.stderr!.on('data', (c: Buffer) => (log = (log + c.toString()).slice(-20_000)));
  const ready = await new Promise<Record<string, string>>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`OpenHIM not ready within ${READY_WITHIN_MS} ms:\n${log}`)), READY_WITHIN_MS);
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /openhim ready (\{.*\})\n/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(JSON.parse(m[1]) as Record<string, string>);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`OpenHIM launcher exited with ${code} before ready:\n${log}`));
    });
  });
  const exited = new Promise<void>((ok) => (child.exitCode !== null ? ok() : child.once('exit', () => ok())));
  return {
    apiUrl: ready.apiUrl,
    routerUrl: ready.routerUrl,
    username: ready.username,
    password: ready.password,
    version: ready.version,
    api: new OpenhimApi({ apiUrl: ready.apiUrl, username: ready.username, password: ready.password, auth: 'token', trustSelfSigned: true }, silentLogger),
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
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
