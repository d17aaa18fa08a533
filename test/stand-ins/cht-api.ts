import http from 'node:http';
import { listen } from '../../src/net/listen';
import { randomUUID } from 'node:crypto';

/**
 * A stand-in for the CHT API (CHT needs CouchDB, absent here) enforcing the
 * parts of its contract the receiver relies on, as read in medic/cht-core:
 * - Every call needs HTTP Basic credentials of a known user, else 401.
 * - POST /api/v2/records (api/src/services/records.js createRecordByJSON):
 *   JSON body; `_meta` required ('Missing _meta property.'), `_meta.form`
 *   required ('Missing required field: form'), upper-cased and looked up in
 *   app settings `forms` ('Form not found: X'); only declared fields are kept
 *   (under `fields`, keys lower-cased); a missing required field does NOT
 *   refuse the record, it is saved with an `errors` entry; answer
 *   {success: true, id}.
 * - POST /api/v1/people: `name` required; `place` must be an existing place;
 *   answer {id, rev}.
 * - GET /medic/<id>: the doc or 404; POST /medic/_find: Mango equality
 *   selectors on dotted paths, {docs}.
 * Faults for tests: `mode` 'down' (connection reset) or 'error' (500).
 */
export interface ChtStandIn {
  url: string;
  /** CHT_URL with credentials, as the receiver is configured. */
  urlWithCredentials: string;
  docs: Map<string, Record<string, any>>;
  writes: number;
  mode: 'ok' | 'down' | 'error';
  close(): Promise<void>;
}

type JsonForms = Record<string, { fields: Record<string, { type?: string; required?: boolean }> }>;

export async function startChtStandIn(opts: { forms: JsonForms; docs: Array<Record<string, any>>; user?: string; password?: string; placeTypes?: string[] }): Promise<ChtStandIn> {
  const user = opts.user ?? 'medic-fhir';
  const password = opts.password ?? 'S3cret!pass';
  const placeTypes = opts.placeTypes ?? ['clinic', 'health_center', 'district_hospital'];
  const docs = new Map<string, Record<string, any>>(opts.docs.map((d) => [d._id, JSON.parse(JSON.stringify(d))]));
  const state: ChtStandIn = { url: '', urlWithCredentials: '', docs, writes: 0, mode: 'ok', close: async () => undefined };

  const get = (o: any, path: string) => path.split('.').reduce((c, k) => (c == null ? undefined : c[k]), o);
  const save = (doc: Record<string, any>) => {
    doc._id = randomUUID();
    doc._rev = '1-' + randomUUID().replace(/-/g, '');
    docs.set(doc._id, doc);
    state.writes++;
    return doc;
  };

  const routes = async (method: string, path: string, body: any): Promise<[number, unknown]> => {
    if (method === 'POST' && path === '/api/v2/records') {
      if (body === null || typeof body !== 'object' || Array.isArray(body)) return [400, { code: 400, error: 'Content type not supported' }];
      if (!body._meta) return [400, { code: 400, error: 'Missing _meta property.' }];
      if (!body._meta.form) return [400, { code: 400, error: 'Missing required field: form' }];
      const code = String(body._meta.form).toUpperCase();
      const def = opts.forms[code];
      if (!def) return [400, { code: 400, error: 'Form not found: ' + code }];
      const fields: Record<string, unknown> = {};
      const errors: unknown[] = [];
      const lower = Object.fromEntries(Object.entries(body).filter(([k]) => k !== '_meta').map(([k, v]) => [k.toLowerCase(), v]));
      for (const [k, spec] of Object.entries(def.fields)) {
        if (lower[k] !== undefined) fields[k] = lower[k];
        else if (spec.required) errors.push({ code: 'sys.missing_fields', fields: [k] });
      }
      const doc = save({ type: 'data_record', form: code, from: body._meta.from, fields, errors, reported_date: body._meta.reported_date ?? Date.now(), content_type: 'json' });
      return [200, { success: true, id: doc._id }];
    }
    if (method === 'POST' && path === '/api/v1/people') {
      if (!body || typeof body.name !== 'string' || !body.name) return [400, { code: 400, error: 'Missing required fields: name' }];
      const place = typeof body.place === 'string' ? docs.get(body.place) : undefined;
      if (body.place !== undefined && (!place || !placeTypes.includes(place.type === 'contact' ? place.contact_type : place.type))) return [400, { code: 400, error: 'Failed to find place.' }];
      const { place: _p, ...rest } = body;
      const doc = save({ ...rest, type: rest.type ?? 'person', parent: place ? { _id: place._id, ...(place.parent ? { parent: place.parent } : {}) } : undefined, reported_date: Date.now() });
      return [200, { id: doc._id, rev: doc._rev }];
    }
    if (method === 'POST' && path === '/medic/_find') {
      const selector = body?.selector;
      if (!selector || typeof selector !== 'object') return [400, { error: 'bad_request', reason: 'selector required' }];
      const found = [...docs.values()].filter((d) => Object.entries(selector).every(([k, v]) => get(d, k) === v));
      return [200, { docs: found.slice(0, body.limit ?? 25) }];
    }
    const m = /^\/medic\/([^/_][^/]*)$/.exec(path);
    if (method === 'GET' && m) {
      const doc = docs.get(decodeURIComponent(m[1]));
      return doc ? [200, doc] : [404, { error: 'not_found', reason: 'missing' }];
    }
    return [404, { error: 'not_found' }];
  };

  const server = http.createServer((req, res) => {
    if (state.mode === 'down') return void req.socket.destroy();
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const reply = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      if (state.mode === 'error') return reply(500, { error: 'server error' });
      const expected = 'Basic ' + Buffer.from(`${user}:${password}`).toString('base64');
      if (req.headers.authorization !== expected) return reply(401, { code: 401, error: 'unauthorized' });
      let body: unknown;
      if (chunks.length) {
        if (!String(req.headers['content-type']).startsWith('application/json')) return reply(415, { error: 'Content type not supported' });
        try {
          body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        } catch {
          return reply(400, { error: 'Invalid JSON' });
        }
      }
      routes(req.method ?? 'GET', (req.url ?? '/').split('?')[0], body).then(([s, b]) => reply(s, b), (e) => reply(500, { error: String(e) }));
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
