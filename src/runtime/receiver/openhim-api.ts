import { createHash } from 'node:crypto';
import { basicAuthHeader } from './auth';
import type { Logger } from './log';
import { send, within, type Reply } from '../../net/request';

/**
 * How a client logs in to the OpenHIM API:
 * - `token`: OpenHIM 4.x-7.x (what cht-interoperability's `openhim-core:7`
 *   runs). `GET /authenticate/<user>` (no login) answers `{salt, ts}`; each
 *   request then sends auth-username, auth-ts, auth-salt and auth-token =
 *   sha512(sha512(salt + password) + salt + ts), accepted while ts is within
 *   the server's auth window (10 s by default) of its clock.
 * - `basic`: HTTP Basic, OpenHIM 8.x's default (4.x-7.x answer it 401).
 * - `auto` (default): `GET /authenticate/<user>` answering a salt means the
 *   token scheme; anything else (8.x: 401/404) means Basic.
 */
export type OpenhimAuth = 'auto' | 'token' | 'basic';
export const OPENHIM_AUTH_SCHEMES: readonly OpenhimAuth[] = ['auto', 'token', 'basic'];

export interface OpenhimApiOptions {
  apiUrl: string;
  username: string;
  password: string;
  /** Default `auto`. */
  auth?: OpenhimAuth;
  trustSelfSigned?: boolean;
  heartbeatMs?: number;
}

const sha512 = (s: string) => createHash('sha512').update(s).digest('hex');

/** The four headers of OpenHIM's token scheme (pure: salt and ts come from GET /authenticate/<user>). */
export function tokenHeaders(username: string, password: string, salt: string, ts: string): Record<string, string> {
  return { 'auth-username': username, 'auth-ts': ts, 'auth-salt': salt, 'auth-token': sha512(sha512(salt + password) + salt + ts) };
}

/** `{salt, ts}` out of a GET /authenticate/<user> answer, or undefined when it is not one. */
export function parseAuthenticate(reply: Reply): { salt: string; ts: string } | undefined {
  if (reply.status !== 200) return undefined;
  try {
    const o = JSON.parse(reply.body) as { salt?: unknown; ts?: unknown };
    return typeof o.salt === 'string' && typeof o.ts === 'string' ? { salt: o.salt, ts: o.ts } : undefined;
  } catch {
    return undefined;
  }
}

/** An authenticated client of one OpenHIM API. The scheme is settled on the first call and logged once. */
export class OpenhimApi {
  private scheme: 'token' | 'basic' | undefined;

  constructor(
    readonly opts: OpenhimApiOptions,
    private readonly log: Logger,
  ) {
    if (opts.auth && opts.auth !== 'auto') this.scheme = opts.auth;
  }

  /** The scheme in use (`undefined` until the first call in `auto`). */
  get authScheme(): 'token' | 'basic' | undefined {
    return this.scheme;
  }

  async call(method: string, path: string, body?: unknown): Promise<Reply> {
    const headers: Record<string, string> = { ...(await this.authHeaders()), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) };
    const res = await this.raw(method, path, headers, body === undefined ? undefined : JSON.stringify(body));
    // A login refused in auto mode: look at the scheme again on the next call (OpenHIM replaced or upgraded).
    if (res.status === 401 && (this.opts.auth ?? 'auto') === 'auto') this.scheme = undefined;
    return res;
  }

  /** The body of a 2xx answer (parsed when JSON: OpenHIM answers most writes with text); throws naming the call and status otherwise. */
  async json<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await this.call(method, path, body);
    if (res.status < 200 || res.status > 299) throw new Error(`OpenHIM ${method} ${path} answered HTTP ${res.status}: ${res.body.slice(0, 200)}`);
    return (/json/.test(res.headers['content-type'] ?? '') && res.body ? JSON.parse(res.body) : res.body) as T;
  }

  private async authHeaders(): Promise<Record<string, string>> {
    const { username, password } = this.opts;
    if (this.scheme === 'basic') return { authorization: basicAuthHeader({ username, password }) };
    const auth = await this.raw('GET', `/authenticate/${encodeURIComponent(username)}`, {});
    const salted = parseAuthenticate(auth);
    if (this.scheme === 'token') {
      if (!salted) throw new Error(`OpenHIM GET /authenticate/<user> answered HTTP ${auth.status} (token scheme): ${auth.body.slice(0, 200)}`);
      return tokenHeaders(username, password, salted.salt, salted.ts);
    }
    this.scheme = salted ? 'token' : 'basic';
    this.log('info', `OpenHIM API login: ${salted ? 'token scheme (OpenHIM 4.x-7.x)' : 'HTTP Basic (OpenHIM 8.x)'}`, {
      api: this.opts.apiUrl,
      authenticate: auth.status,
      setting: 'OPENHIM_AUTH=auto',
    });
    return salted ? tokenHeaders(username, password, salted.salt, salted.ts) : { authorization: basicAuthHeader({ username, password }) };
  }

  private raw(method: string, path: string, headers: Record<string, string>, body?: string): Promise<Reply> {
    const url = new URL(this.opts.apiUrl.replace(/\/+$/, '') + path);
    return within(send(url, { method, headers, body, trustSelfSigned: this.opts.trustSelfSigned }), 5000);
  }
}
