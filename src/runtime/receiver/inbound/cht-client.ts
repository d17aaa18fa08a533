import { send, within, TimeoutError, type Reply } from '../../../net/request';
import { Refused, Unavailable } from '../failure';
import type { ChtDoc, JsonForm } from './cht-docs';

/**
 * The few CHT API calls inbound mappings make. CHT_URL carries the
 * credentials (https://user:password@cht.example.org); they go into an
 * Authorization header and never into a log line or an error message.
 *
 * CHT locks an IP out for the rest of a 10 s window after 10 failed logins
 * (api/src/middleware/rate-limiter.js: 429 to everything, right password or
 * not). So after a 429 or a refused login this client stops calling CHT for
 * a while (Retry-After, else 10 s; refused logins back off up to 5 min):
 * every request meanwhile fails at once as transient, and no retry keeps
 * the lockout alive.
 */
/** CHT gave no usable answer now (failure.ts: 503 with Retry-After when known, else 502): nothing was written. */
export class ChtUnavailable extends Unavailable {
  constructor(message: string, retryAfter?: number) {
    super('network', `${message}; nothing was written, retry later`, retryAfter);
  }
}

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

const LOCKOUT_S = 10;
const MAX_BACKOFF_S = 300;

export function chtClient(chtUrl: string, now: () => number = Date.now): ChtClient {
  let url: URL;
  try {
    url = new URL(chtUrl);
  } catch {
    throw new Error('CHT_URL is not a URL (expected https://user:password@cht.example.org)');
  }
  const auth = url.username ? 'Basic ' + Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString('base64') : undefined;
  url.username = '';
  url.password = '';
  const base = url.href.replace(/\/+$/, '');
  let pausedUntil = 0;
  let refusedLogins = 0;
  let pausedFor = '';
  const pause = (seconds: number, why: string) => {
    pausedUntil = Math.max(pausedUntil, now() + seconds * 1000);
    pausedFor = why;
    return new ChtUnavailable(why, seconds);
  };

  const call = async (method: string, path: string, deadline: number, body?: unknown): Promise<ChtReply> => {
    const wait = Math.ceil((pausedUntil - now()) / 1000);
    if (wait > 0) throw new ChtUnavailable(`${pausedFor}; CHT is not called again for ${wait} s (its login limit)`, wait);
    const remaining = deadline - now();
    if (remaining <= 0) throw new ChtUnavailable('no time left to call CHT');
    let res: Reply;
    try {
      const headers = { accept: 'application/json', ...(body ? { 'content-type': 'application/json' } : {}), ...(auth ? { authorization: auth } : {}) };
      res = await within(send(new URL(base + path), { method, headers, body: body ? JSON.stringify(body) : undefined }), remaining);
    } catch (e) {
      throw new ChtUnavailable(`CHT at ${base} did not answer: ${e instanceof TimeoutError ? 'timeout' : (e as Error).message}`);
    }
    const text = res.body;
    let json: unknown;
    try {
      json = text ? (JSON.parse(text) as unknown) : undefined;
    } catch {
      json = { error: text.slice(0, 200) };
    }
    const what = `${method} ${path.split('?')[0]}`;
    if (res.status === 429) {
      const after = Number(res.headers['retry-after']);
      const seconds = Number.isFinite(after) && after > 0 ? Math.min(after, MAX_BACKOFF_S) : LOCKOUT_S;
      throw pause(seconds, `CHT answered 429 (too many failed logins from this IP) to ${what}`);
    }
    if (res.status === 401 || res.status === 403) {
      const seconds = Math.min(LOCKOUT_S * 2 ** refusedLogins++, MAX_BACKOFF_S);
      throw pause(seconds, `CHT refused the receiver's credentials (${res.status}): check CHT_URL`);
    }
    refusedLogins = 0;
    if (res.status >= 500) throw new ChtUnavailable(`CHT answered ${res.status} to ${what}${reason(json) ? `: ${reason(json)}` : ''}`);
    return { status: res.status, json, headers: res.headers };
  };
  const refusedUnless = (r: ChtReply, ok: number[], what: string) => {
    if (!ok.includes(r.status)) throw new Refused('processing', `CHT refused ${what}: ${reason(r.json) || r.status}`);
  };
  const id = (doc: ChtDoc) => encodeURIComponent(doc._id);

  return {
    origin: base,
    async getDoc(docId, deadline) {
      const r = await call('GET', `/medic/${encodeURIComponent(docId)}`, deadline);
      if (r.status === 404) return undefined;
      refusedUnless(r, [200], `reading ${docId}`);
      return r.json as ChtDoc;
    },
    async putDoc(doc, deadline) {
      const r = await call('PUT', `/medic/${id(doc)}`, deadline, doc);
      if (r.status === 409) return false;
      refusedUnless(r, [200, 201, 202], `the doc ${doc._id}`);
      return true;
    },
    async byShortcode(code, deadline) {
      const key = encodeURIComponent(JSON.stringify(['shortcode', code]));
      const r = await call('GET', `/medic/_design/medic-client/_view/contacts_by_reference?key=${key}`, deadline);
      refusedUnless(r, [200], 'the shortcode lookup');
      const rows = (r.json as { rows?: unknown } | undefined)?.rows;
      const row = Array.isArray(rows) ? (rows[0] as { id?: unknown } | undefined) : undefined;
      return typeof row?.id === 'string' ? row.id : undefined;
    },
    async jsonForms(deadline) {
      const r = await call('GET', '/api/v1/settings', deadline);
      refusedUnless(r, [200], 'reading the app settings');
      const forms = (r.json as { forms?: unknown } | undefined)?.forms;
      return forms && typeof forms === 'object' ? (forms as Record<string, JsonForm>) : {};
    },
    async settingsRev(deadline) {
      // api/src/services/settings.js keeps the app settings in the medic doc `settings`; api/src/routing.js proxies
      // an online user's GET (and so HEAD) of /medic/<docId> to CouchDB, whose ETag is the doc's _rev.
      const r = await call('HEAD', '/medic/settings', deadline);
      refusedUnless(r, [200], 'reading the app settings revision');
      const etag = r.headers.etag;
      return typeof etag === 'string' ? etag.replace(/"/g, '') : undefined;
    },
  };
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
