import { send, within, TimeoutError, type Reply } from '../../../net/request';
import { Refused, Unavailable } from '../failure';
import type { ChtDoc, JsonForm } from './cht-docs';
import { LoginPause } from './cht-login-pause';

/** CHT gave no usable answer now (failure.ts: 504 on a timeout, 503 with Retry-After when known, else 502): nothing was written. */
export class ChtUnavailable extends Unavailable {
  constructor(message: string, retryAfter?: number, kind: 'timeout' | 'network' = 'network') {
    super(kind, `${message}; nothing was written, retry later`, retryAfter);
  }
}

/**
 * The few CHT API calls inbound mappings make. CHT_URL carries the
 * credentials (https://user:password@cht.example.org); they go into an
 * Authorization header and never into a log line or an error message.
 *
 * After a 429 or a refused login this client stops calling CHT for a while
 * (CHT's login limit, cht-login-pause.ts): every request meanwhile fails at
 * once as transient, and no retry keeps the lockout alive.
 */
export interface ChtClient {
  /** Where CHT is, without credentials, for logs. */
  readonly origin: string;
  getDoc(id: string, deadline: number): Promise<ChtDoc | undefined>;
  /** CouchDB PUT through the API: create (no `_rev`) or update; false on a conflict. */
  putDoc(doc: ChtDoc, deadline: number): Promise<boolean>;
  /** The contact whose shortcode (`patient_id`) this is, through CHT's contacts_by_reference view. */
  byShortcode(code: string, deadline: number): Promise<string | undefined>;
  /** App settings `forms` (the JSON forms CHT knows). */
  jsonForms(deadline: number): Promise<Record<string, JsonForm>>;
  /** The `_rev` of the app settings doc (HEAD /medic/settings, CouchDB's ETag): changes whenever the settings do. */
  settingsRev(deadline: number): Promise<string | undefined>;
}

/** Where CHT is: its origin without credentials, and the Authorization header made of them. */
interface ChtTarget {
  base: string;
  auth: string | undefined;
}

export function chtClient(chtUrl: string, now: () => number = Date.now): ChtClient {
  return new HttpChtClient(chtTarget(chtUrl), new LoginPause(now), now);
}

/** CHT_URL taken apart: the credentials leave the URL for a header. */
function chtTarget(chtUrl: string): ChtTarget {
  let url: URL;
  try {
    url = new URL(chtUrl);
  } catch {
    throw new Error('CHT_URL is not a URL (expected https://user:password@cht.example.org)');
  }
  const auth = url.username ? 'Basic ' + Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString('base64') : undefined;
  url.username = '';
  url.password = '';
  return { base: url.href.replace(/\/+$/, ''), auth };
}

/** The API calls over HTTP: each asks (`call`), then reads CHT's answer for what it needs. */
class HttpChtClient implements ChtClient {
  readonly origin: string;

  constructor(
    private readonly target: ChtTarget,
    private readonly pause: LoginPause,
    private readonly now: () => number,
  ) {
    this.origin = target.base;
  }

  async getDoc(docId: string, deadline: number): Promise<ChtDoc | undefined> {
    const r = await this.call('GET', `/medic/${encodeURIComponent(docId)}`, deadline);
    if (r.status === 404) return undefined;
    refusedUnless(r, [200], `reading ${docId}`);
    return r.json as ChtDoc;
  }

  async putDoc(doc: ChtDoc, deadline: number): Promise<boolean> {
    const r = await this.call('PUT', `/medic/${encodeURIComponent(doc._id)}`, deadline, doc);
    if (r.status === 409) return false;
    refusedUnless(r, [200, 201, 202], `the doc ${doc._id}`);
    return true;
  }

  async byShortcode(code: string, deadline: number): Promise<string | undefined> {
    const key = encodeURIComponent(JSON.stringify(['shortcode', code]));
    const r = await this.call('GET', `/medic/_design/medic-client/_view/contacts_by_reference?key=${key}`, deadline);
    refusedUnless(r, [200], 'the shortcode lookup');
    const rows = (r.json as { rows?: unknown } | undefined)?.rows;
    const row = Array.isArray(rows) ? (rows[0] as { id?: unknown } | undefined) : undefined;
    return typeof row?.id === 'string' ? row.id : undefined;
  }

  async jsonForms(deadline: number): Promise<Record<string, JsonForm>> {
    const r = await this.call('GET', '/api/v1/settings', deadline);
    refusedUnless(r, [200], 'reading the app settings');
    const forms = (r.json as { forms?: unknown } | undefined)?.forms;
    return forms && typeof forms === 'object' ? (forms as Record<string, JsonForm>) : {};
  }

  async settingsRev(deadline: number): Promise<string | undefined> {
    // api/src/services/settings.js keeps the app settings in the medic doc `settings`; api/src/routing.js proxies
    // an online user's GET (and so HEAD) of /medic/<docId> to CouchDB, whose ETag is the doc's _rev.
    const r = await this.call('HEAD', '/medic/settings', deadline);
    refusedUnless(r, [200], 'reading the app settings revision');
    const etag = r.headers.etag;
    return typeof etag === 'string' ? etag.replace(/"/g, '') : undefined;
  }

  /** One call, unless CHT's login limit pauses calls or the deadline has passed; CHT's failures become errors. */
  private async call(method: string, path: string, deadline: number, body?: unknown): Promise<ChtReply> {
    const paused = this.pause.current();
    if (paused) throw new ChtUnavailable(`${paused.why}; CHT is not called again for ${paused.seconds} s (its login limit)`, paused.seconds);
    const remaining = deadline - this.now();
    if (remaining <= 0) throw new ChtUnavailable('no time left to call CHT', undefined, 'timeout');
    const res = await request(this.target, method, path, remaining, body);
    const json = parsedBody(res.body);
    const what = `${method} ${path.split('?')[0]}`;
    const pause = this.pause.afterAnswer(res.status, res.headers['retry-after'], what);
    if (pause) throw new ChtUnavailable(pause.why, pause.seconds);
    if (res.status >= 500) throw new ChtUnavailable(`CHT answered ${res.status} to ${what}${reason(json) ? `: ${reason(json)}` : ''}`);
    return { status: res.status, json, headers: res.headers };
  }
}

/** The HTTP exchange with CHT: any answer, or ChtUnavailable when there is none within `remaining` ms. */
async function request(target: ChtTarget, method: string, path: string, remaining: number, body?: unknown): Promise<Reply> {
  try {
    const headers = {
      accept: 'application/json',
      ...(body ? { 'content-type': 'application/json' } : {}),
      ...(target.auth ? { authorization: target.auth } : {}),
    };
    return await within(send(new URL(target.base + path), { method, headers, body: body ? JSON.stringify(body) : undefined }), remaining);
  } catch (e) {
    throw e instanceof TimeoutError
      ? new ChtUnavailable(`CHT at ${target.base} did not answer in time`, undefined, 'timeout')
      : new ChtUnavailable(`CHT at ${target.base} did not answer: ${(e as Error).message}`);
  }
}

/** CHT's answer body as JSON; a body that is not (a proxy's page) as `{ error: <its start> }`. */
function parsedBody(text: string): unknown {
  try {
    return text ? (JSON.parse(text) as unknown) : undefined;
  } catch {
    return { error: text.slice(0, 200) };
  }
}

/** A refusal unless CHT answered one of the `ok` statuses. */
function refusedUnless(r: ChtReply, ok: number[], what: string): void {
  if (!ok.includes(r.status)) throw new Refused('processing', `CHT refused ${what}: ${reason(r.json) || r.status}`);
}

/** An answer of CHT's, its body parsed (anything: CHT's JSON, a proxy's page). */
interface ChtReply {
  status: number;
  json: unknown;
  headers: Reply['headers'];
}

/** CHT's own words for a refusal: `Form not found: X`, `Parent ... does not exist`... */
function reason(json: unknown): string {
  const j = json as { error?: unknown; message?: unknown; reason?: unknown } | undefined;
  const said = j?.error ?? j?.message ?? j?.reason;
  return typeof said === 'string' ? said.slice(0, 300) : said === undefined ? '' : JSON.stringify(said).slice(0, 300);
}
