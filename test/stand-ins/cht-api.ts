import http from 'node:http';
import { listen } from '../../src/net/listen';
import { randomUUID } from 'node:crypto';

/**
 * A STAND-IN for the CHT API (CHT needs CouchDB, absent here), enforcing the
 * parts of its contract the receiver relies on, as read in medic/cht-core
 * (api/src/services/records.js, api/src/middleware/rate-limiter.js,
 * api/src/controllers/person.js, shared-libs/cht-datasource):
 * - HTTP Basic credentials of a known user, else 401. Failed logins are
 *   rate limited: 10 failures within 10 s from one IP and every request from
 *   that IP answers 429, even with the right password, until the window ends.
 * - POST /api/v2/records: `_meta` and `_meta.form` required (400); an
 *   unknown form throws a PublicError without a code: 500 with
 *   `Form not found: X` in the body; only the fields the JSON form declares
 *   are kept (keys lower-cased); a missing required field is saved with an
 *   `errors` entry, not refused.
 * - POST /api/v1/person (CHT >= 5.2): `type` a person contact type, `name`,
 *   `parent` the id of an existing place; an optional `_id` is kept (409 when
 *   it exists). PUT /api/v1/person/<id>: the complete person with its
 *   `_rev` (409 when stale); fields left out are removed; type and parent
 *   are immutable. POST /api/v1/people (all versions): creates only.
 * - GET /api/v1/settings: the app settings (here only `forms`).
 * - CouchDB through the API for an online user: GET/PUT /medic/<id> (PUT
 *   without the current `_rev` is a 409 conflict); the contacts_by_reference
 *   view (an index: O(1) here); POST /medic/_find has no index for report or
 *   contact fields in CHT, so it reads every doc (counted in `fullScans`) and
 *   answers with CouchDB's "No matching index found" warning.
 * Faults for tests: `mode` 'down' (connection reset) or 'error' (500).
 */
export interface ChtStandIn {
  url: string;
  /** CHT_URL with credentials, as the receiver is configured. */
  urlWithCredentials: string;
  docs: Map<string, Record<string, any>>;
  /** Docs created or changed by a client. */
  writes: number;
  /** `_find` calls that read the whole database. */
  fullScans: number;
  /** Requests by route (`GET /medic/:id`...). */
  calls: Record<string, number>;
  mode: 'ok' | 'down' | 'error';
  /** App settings `forms` as CHT has them (tests may remove one). */
  forms: JsonForms;
  close(): Promise<void>;
}

type JsonForms = Record<string, { fields: Record<string, { type?: string; required?: boolean }> }>;

const NO_INDEX_WARNING = 'No matching index found, create an index to optimize query time.';
export const LOGIN_LIMIT = { failures: 10, windowMs: 10_000 };

export async function startChtStandIn(opts: {
  forms: JsonForms;
  docs: Array<Record<string, any>>;
  user?: string;
  password?: string;
  placeTypes?: string[];
  personTypes?: string[];
  /** Extra unrelated docs, as a production database holds (cheap: one small object each). */
  filler?: number;
}): Promise<ChtStandIn> {
  const user = opts.user ?? 'medic-fhir';
  const password = opts.password ?? 'S3cret!pass';
  const placeTypes = opts.placeTypes ?? ['clinic', 'health_center', 'district_hospital'];
  const personTypes = opts.personTypes ?? ['person'];
  const docs = new Map<string, Record<string, any>>(opts.docs.map((d) => [d._id, JSON.parse(JSON.stringify(d))]));
  for (let i = 0; i < (opts.filler ?? 0); i++) docs.set(`filler-${i}`, { _id: `filler-${i}`, type: 'data_record', form: 'OTHER' });
  const state: ChtStandIn = {
    url: '',
    urlWithCredentials: '',
    docs,
    writes: 0,
    fullScans: 0,
    calls: {},
    mode: 'ok',
    forms: opts.forms,
    close: async () => undefined,
  };
  const failures = new Map<string, number[]>();

  const get = (o: any, path: string) => path.split('.').reduce((c, k) => (c == null ? undefined : c[k]), o);
  const kindOf = (d: Record<string, any> | undefined) => (d ? (d.type === 'contact' ? d.contact_type : d.type) : undefined);
  const nextRev = (rev?: string) => `${rev ? Number(rev.split('-')[0]) + 1 : 1}-${randomUUID().replace(/-/g, '')}`;
  const save = (doc: Record<string, any>) => {
    doc._id = doc._id ?? randomUUID();
    doc._rev = nextRev(doc._rev);
    docs.set(doc._id, doc);
    state.writes++;
    return doc;
  };
  const conflict: [number, unknown] = [409, { error: 'conflict', reason: 'Document update conflict.' }];
  const lineage = (place: Record<string, any>) => ({ _id: place._id, ...(place.parent ? { parent: place.parent } : {}) });

  const routes = async (method: string, path: string, query: URLSearchParams, body: any): Promise<[number, unknown]> => {
    if (method === 'GET' && path === '/api/v1/settings') return [200, { forms: state.forms }];
    if (method === 'POST' && path === '/api/v2/records') {
      if (body === null || typeof body !== 'object' || Array.isArray(body)) return [400, { code: 400, error: 'Content type not supported' }];
      if (!body._meta) return [500, { code: 500, error: 'Missing _meta property.' }];
      if (!body._meta.form) return [500, { code: 500, error: 'Missing required field: form' }];
      const code = String(body._meta.form).toUpperCase();
      const def = state.forms[code];
      if (!def) return [500, { code: 500, error: 'Form not found: ' + code }];
      const fields: Record<string, unknown> = {};
      const errors: unknown[] = [];
      const lower = Object.fromEntries(
        Object.entries(body)
          .filter(([k]) => k !== '_meta')
          .map(([k, v]) => [k.toLowerCase(), v]),
      );
      for (const [k, spec] of Object.entries(def.fields)) {
        if (lower[k] !== undefined) fields[k] = lower[k];
        else if (spec.required) errors.push({ code: 'sys.missing_fields', fields: [k] });
      }
      const doc = save({
        type: 'data_record',
        form: code,
        from: body._meta.from,
        fields,
        errors,
        reported_date: body._meta.reported_date ?? Date.now(),
        content_type: 'json',
      });
      return [200, { success: true, id: doc._id }];
    }
    if (method === 'POST' && path === '/api/v1/people') {
      if (!body || typeof body.name !== 'string' || !body.name) return [400, { code: 400, error: 'Missing required fields: name' }];
      const place = typeof body.place === 'string' ? docs.get(body.place) : undefined;
      if (body.place !== undefined && (!place || !placeTypes.includes(kindOf(place)))) return [400, { code: 400, error: 'Failed to find place.' }];
      const { place: _p, _id: _ignored, ...rest } = body;
      const doc = save({ ...rest, type: rest.type ?? 'person', parent: place ? lineage(place) : undefined, reported_date: Date.now() });
      return [200, { id: doc._id, rev: doc._rev }];
    }
    if (method === 'POST' && path === '/api/v1/person') {
      if (!body || typeof body.name !== 'string' || !body.name || typeof body.type !== 'string')
        return [400, { code: 400, error: 'Missing or empty required fields (name, type).' }];
      if (!personTypes.includes(body.type === 'contact' ? body.contact_type : body.type)) return [400, { code: 400, error: 'Invalid person type.' }];
      if (typeof body.parent !== 'string' || !body.parent) return [400, { code: 400, error: 'Missing or empty required field (parent).' }];
      const place = docs.get(body.parent);
      if (!place || !placeTypes.includes(kindOf(place))) return [400, { code: 400, error: `Parent with _id ${body.parent} does not exist.` }];
      if (body._id !== undefined && docs.has(body._id)) return conflict;
      const doc = save({ ...body, parent: lineage(place), reported_date: body.reported_date ?? Date.now() });
      return [200, doc];
    }
    const person = /^\/api\/v1\/person\/([^/]+)$/.exec(path);
    if (method === 'PUT' && person) {
      const id = decodeURIComponent(person[1]);
      const old = docs.get(id);
      if (!old || !personTypes.includes(kindOf(old))) return [404, { code: 404, error: 'Person not found' }];
      if (!body || body._rev !== old._rev) return [409, { code: 409, error: 'Document update conflict.' }];
      if (kindOf(body) !== kindOf(old) || (typeof body.parent === 'string' ? body.parent : body.parent?._id) !== old.parent?._id)
        return [400, { code: 400, error: 'Value of immutable field changed: type or parent.' }];
      if (typeof body.name !== 'string' || !body.name) return [400, { code: 400, error: 'Missing or empty required field (name).' }];
      const doc = save({ ...body, _id: id, parent: old.parent, reported_date: old.reported_date });
      return [200, doc];
    }
    if (method === 'POST' && path === '/medic/_find') {
      const selector = body?.selector;
      if (!selector || typeof selector !== 'object') return [400, { error: 'bad_request', reason: 'selector required' }];
      state.fullScans++;
      const found: Record<string, any>[] = [];
      for (const d of docs.values()) if (Object.entries(selector).every(([k, v]) => get(d, k) === v)) found.push(d);
      return [200, { docs: found.slice(0, body.limit ?? 25), warning: NO_INDEX_WARNING }];
    }
    if (method === 'GET' && path === '/medic/_design/medic-client/_view/contacts_by_reference') {
      const key = JSON.parse(query.get('key') ?? 'null');
      const id = Array.isArray(key) && key[0] === 'shortcode' ? byShortcode.get(String(key[1])) : undefined;
      const doc = id ? docs.get(id) : undefined;
      return [200, { rows: doc ? [{ id, key, value: null, ...(query.get('include_docs') === 'true' ? { doc } : {}) }] : [] }];
    }
    const m = /^\/medic\/([^/_][^/]*)$/.exec(path);
    if (m && method === 'GET') {
      const doc = docs.get(decodeURIComponent(m[1]));
      return doc ? [200, doc] : [404, { error: 'not_found', reason: 'missing' }];
    }
    if (m && method === 'PUT') {
      const id = decodeURIComponent(m[1]);
      if (!body || typeof body !== 'object' || (body._id !== undefined && body._id !== id))
        return [400, { error: 'bad_request', reason: 'Document id must match the URL' }];
      if (docs.get(id)?._rev !== body._rev) return conflict;
      const doc = save({ ...body, _id: id });
      return [201, { ok: true, id, rev: doc._rev }];
    }
    return [404, { error: 'not_found' }];
  };
  // The view's index, kept as CouchDB keeps it.
  const byShortcode = new Map<string, string>();
  const index = (d: Record<string, any>) => typeof d.patient_id === 'string' && byShortcode.set(d.patient_id, d._id);
  for (const d of docs.values()) index(d);

  const limited = (ip: string) => {
    const recent = (failures.get(ip) ?? []).filter((t) => t > Date.now() - LOGIN_LIMIT.windowMs);
    failures.set(ip, recent);
    return recent.length >= LOGIN_LIMIT.failures;
  };

  const server = http.createServer((req, res) => {
    if (state.mode === 'down') return void req.socket.destroy();
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const reply = (status: number, body: unknown, headers: Record<string, string> = {}) => {
        res.writeHead(status, { 'content-type': 'application/json', ...headers });
        res.end(JSON.stringify(body));
      };
      if (state.mode === 'error') return reply(500, { error: 'server error' });
      const ip = req.socket.remoteAddress ?? '';
      if (limited(ip)) return reply(429, { error: 'Too Many Requests' });
      const expected = 'Basic ' + Buffer.from(`${user}:${password}`).toString('base64');
      if (req.headers.authorization !== expected) {
        failures.get(ip)!.push(Date.now());
        return reply(401, { code: 401, error: 'unauthorized' });
      }
      let body: unknown;
      if (chunks.length) {
        if (!String(req.headers['content-type']).startsWith('application/json')) return reply(415, { error: 'Content type not supported' });
        try {
          body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        } catch {
          return reply(400, { error: 'Invalid JSON' });
        }
      }
      const url = new URL(req.url ?? '/', 'http://x');
      const route = `${req.method} ${url.pathname.replace(/^\/medic\/[^/_][^/]*$/, '/medic/:id').replace(/^\/api\/v1\/person\/.+$/, '/api/v1/person/:id')}`;
      state.calls[route] = (state.calls[route] ?? 0) + 1;
      routes(req.method ?? 'GET', url.pathname, url.searchParams, body).then(
        ([s, b]) => {
          if (s < 300 && b && typeof b === 'object')
            for (const id of [(b as any).id, (b as any)._id]) if (typeof id === 'string' && docs.has(id)) index(docs.get(id)!);
          reply(s, b);
        },
        (e) => reply(500, { error: String(e) }),
      );
    });
  });
  const port = await listen(server, 0, '127.0.0.1');
  state.url = `http://127.0.0.1:${port}`;
  state.urlWithCredentials = `http://${encodeURIComponent(user)}:${encodeURIComponent(password)}@127.0.0.1:${port}`;
  state.close = () =>
    new Promise<void>((r) => {
      server.close(() => r());
      server.closeAllConnections();
    });
  return state;
}
