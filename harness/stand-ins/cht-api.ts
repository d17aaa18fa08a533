import http from 'node:http';
import { listen } from '../../src/net/listen';
import { randomUUID } from 'node:crypto';

/**
 * A STAND-IN for the CHT API (CHT needs CouchDB, absent here). Every rule
 * below is read from medic/cht-core's source, named beside it in the code,
 * and it refuses what CHT refuses (test/node/cht-stand-in.test.ts checks the
 * refusals themselves):
 * - HTTP Basic credentials of a known user, else 401. Failed logins are rate
 *   limited (api/src/middleware/rate-limiter.js): 10 failures within 10 s
 *   from one IP and every request from it answers 429 until the window ends.
 * - POST /api/v2/records (api/src/services/records.js createRecordByJSON,
 *   getDataRecord; report/validate.js): `_meta` and `_meta.form` required,
 *   an unknown form a PublicError without a code (500, `Form not found: X`);
 *   only declared fields kept; errors `{code, message}`.
 * - POST /api/v1/person (api/src/controllers/person.js ->
 *   shared-libs/cht-datasource/src/local/person.ts create,
 *   libs/parameter-validators.ts assertPersonInput, local/libs/lineage.ts):
 *   no `_id` nor `_rev` in the input, `type` and `name` required, `parent`
 *   an existing contact whose type the person type allows, a declared type
 *   stored as `type: contact` + `contact_type`, the lineage minified,
 *   `reported_date` set. Only with `personApi` (CHT >= 5.2); without it the
 *   routes do not exist (404), as on CHT 4.x.
 * - PUT /api/v1/person/<id> (local/person.ts update): a person with `_id`,
 *   `_rev` and a person type; `_rev`, `reported_date`, `type`,
 *   `contact_type` unchanged (400 "The [..] fields must not be changed.",
 *   a stale `_rev` included: it is a 400, not a 409); `name` kept when the
 *   stored person has one; the parent lineage as stored (400 "Parent lineage
 *   does not match.").
 * - POST /api/v1/people (api/src/services/people.js): creates only.
 * - GET /api/v1/settings (api/src/controllers/settings.js): the app
 *   settings, which live in the doc `settings` of the medic db
 *   (api/src/services/settings.js), here `forms` and `contact_types`.
 * - CouchDB through the API for an online user (api/src/routing.js:
 *   onlineUserProxy / onlineUserPassThrough on /medic/<docId>): GET and HEAD
 *   /medic/<id> (ETag = the `_rev`), PUT /medic/<id> (409 unless the body
 *   carries the current `_rev`, none for a new or deleted doc); the
 *   contacts_by_reference view (an index: O(1) here); POST /medic/_find has
 *   no index for report or contact fields in CHT, so it reads every doc
 *   (counted in `fullScans`) with CouchDB's "No matching index found" warning.
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
  /** App settings `forms` as CHT has them; setting it rewrites the settings doc. */
  forms: JsonForms;
  /** Runs before each PUT /medic/<id> is decided: a test's stand-in for someone else writing the doc meanwhile. */
  beforePut?: (id: string) => void;
  close(): Promise<void>;
}

type JsonForms = Record<string, { fields: Record<string, { type?: string; required?: boolean }> }>;
export type ContactTypes = Array<{ id: string; person?: boolean; parents?: string[] }>;

const NO_INDEX_WARNING = 'No matching index found, create an index to optimize query time.';
export const LOGIN_LIMIT = { failures: 10, windowMs: 10_000 };
// shared-libs/cht-datasource/src/local/person.ts DEFAULT_PERSON_TYPE, used when contact_types does not declare the type.
const DEFAULT_PERSON_TYPE = { id: 'person', parents: ['district_hospital', 'health_center', 'clinic'] };
const BUILT_IN_PLACES = ['district_hospital', 'health_center', 'clinic'];

export async function startChtStandIn(opts: {
  forms: JsonForms;
  docs: Array<Record<string, any>>;
  user?: string;
  password?: string;
  /** App settings `contact_types`; absent: CHT's built-in types. */
  contactTypes?: ContactTypes;
  /** Whether /api/v1/person exists (CHT >= 5.2); default true. */
  personApi?: boolean;
  /** Extra unrelated docs, as a production database holds (cheap: one small object each). */
  filler?: number;
}): Promise<ChtStandIn> {
  const user = opts.user ?? 'medic-fhir';
  const password = opts.password ?? 'S3cret!pass';
  const personApi = opts.personApi ?? true;
  const docs = new Map<string, Record<string, any>>(opts.docs.map((d) => [d._id, JSON.parse(JSON.stringify(d))]));
  for (let i = 0; i < (opts.filler ?? 0); i++) docs.set(`filler-${i}`, { _id: `filler-${i}`, type: 'data_record', form: 'OTHER' });
  const nextRev = (rev?: string) => `${rev ? Number(rev.split('-')[0]) + 1 : 1}-${randomUUID().replace(/-/g, '')}`;
  // api/src/services/settings.js: the app settings are the doc `settings` of the medic db.
  const writeSettings = (forms: JsonForms) => {
    const old = docs.get('settings');
    docs.set('settings', {
      _id: 'settings',
      _rev: nextRev(old?._rev),
      settings: { forms, ...(opts.contactTypes ? { contact_types: opts.contactTypes } : {}) },
    });
  };
  writeSettings(opts.forms);
  const state: ChtStandIn = {
    url: '',
    urlWithCredentials: '',
    docs,
    writes: 0,
    fullScans: 0,
    calls: {},
    mode: 'ok',
    get forms() {
      return docs.get('settings')!.settings.forms as JsonForms;
    },
    set forms(forms: JsonForms) {
      writeSettings(forms);
    },
    close: async () => undefined,
  };
  const failures = new Map<string, number[]>();

  const get = (o: any, path: string) => path.split('.').reduce((c, k) => (c == null ? undefined : c[k]), o);
  // shared-libs/contact-types-utils: getTypeId, getTypeById, isPersonType, isParentOf.
  const typeId = (d: Record<string, any> | undefined) => (d ? (d.type === 'contact' ? d.contact_type : d.type) : undefined);
  const declaredType = (id: unknown) => opts.contactTypes?.find((t) => t.id === id);
  const isPersonType = (t: { id: string; person?: boolean } | undefined) => !!t && (t.person === true || t.id === 'person');
  const isPersonDoc = (d: Record<string, any> | undefined) => !!d && isPersonType(declaredType(typeId(d)) ?? { id: typeId(d) });
  const isPlaceDoc = (d: Record<string, any> | undefined) =>
    !!d && typeId(d) !== undefined && (opts.contactTypes ? !!declaredType(typeId(d)) && !isPersonDoc(d) : BUILT_IN_PLACES.includes(typeId(d)));
  const save = (doc: Record<string, any>) => {
    doc._id = doc._id ?? randomUUID();
    doc._rev = nextRev(doc._rev);
    docs.set(doc._id, doc);
    state.writes++;
    return doc;
  };
  const conflict: [number, unknown] = [409, { error: 'conflict', reason: 'Document update conflict.' }];
  // local/libs/lineage.ts minify: a parent chain of `_id`s only.
  const minified = (d: Record<string, any> | undefined): Record<string, any> | undefined =>
    d && typeof d._id === 'string' ? { _id: d._id, ...(d.parent ? { parent: minified(d.parent) } : {}) } : undefined;
  const sameLineage = (a: any, b: any): boolean =>
    a && typeof a === 'object' && b && typeof b === 'object' ? a._id === b._id && sameLineage(a.parent, b.parent) : a === b;
  // cht-datasource InvalidArgumentError -> api/src/server-utils.js: 400 with the message.
  const invalid = (message: string): [number, unknown] => [400, { code: 400, error: message }];
  const ISO_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?Z$/;

  /** libs/parameter-validators.ts assertPersonInput (via assertContactInput); the message, or undefined when valid. */
  const personInputProblem = (body: any): string | undefined => {
    if (!body || typeof body !== 'object' || Array.isArray(body)) return 'Invalid data object.';
    for (const name of ['type', 'name']) if (typeof body[name] !== 'string' || !body[name].trim()) return `The [${name}] field must have a [string] value.`;
    if (body.reported_date && !(Number.isInteger(body.reported_date) || (typeof body.reported_date === 'string' && ISO_DATE.test(body.reported_date))))
      return "Invalid reported_date. Expected format to be 'YYYY-MM-DDTHH:mm:ssZ', 'YYYY-MM-DDTHH:mm:ss.SSSZ', or a Unix epoch.";
    for (const name of ['_id', '_rev']) if (!(body[name] === undefined || body[name] === null)) return `The [${name}] field must not be set.`;
    if (typeof body.parent !== 'string' || !body.parent.trim()) return 'The [parent] field must have a [string] value.';
    for (const name of ['phone', 'patient_id', 'sex'])
      if (body[name] !== undefined && typeof body[name] !== 'string') return `The [${name}] field must have a [string] value.`;
    if (body.date_of_birth && Number.isNaN(Date.parse(body.date_of_birth))) return 'The [date_of_birth] field must have a [date] value.';
    return undefined;
  };

  const routes = async (method: string, path: string, query: URLSearchParams, body: any): Promise<[number, unknown, Record<string, string>?]> => {
    if (method === 'GET' && path === '/api/v1/settings') return [200, docs.get('settings')!.settings];
    if (method === 'POST' && path === '/api/v2/records') {
      if (body === null || typeof body !== 'object' || Array.isArray(body)) return [400, { code: 400, error: 'Content type not supported' }];
      if (!body._meta) return [500, { code: 500, error: 'Missing _meta property.' }];
      if (!body._meta.form) return [500, { code: 500, error: 'Missing required field: form' }];
      const meta = { ...body._meta, form: String(body._meta.form).toUpperCase() };
      const def = state.forms[meta.form];
      if (!def) return [500, { code: 500, error: 'Form not found: ' + meta.form }];
      const data: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(body)) {
        if (k === '_meta') continue;
        const type = def.fields[k]?.type;
        data[k.toLowerCase()] = type === 'date' ? new Date(v as string).valueOf() : type === 'boolean' && (v === 1 || v === 0) ? v === 1 : v;
      }
      const fields: Record<string, unknown> = {};
      const errors: unknown[] = [];
      const missing: string[] = [];
      for (const [k, spec] of Object.entries(def.fields)) {
        if (data[k] !== undefined && data[k] !== null) fields[k] = data[k];
        else if (spec.required) missing.push(k);
      }
      if (missing.length) errors.push({ code: 'sys.missing_fields', message: `Missing or invalid fields: ${missing.join(',')}.` });
      const reported = typeof meta.reported_date === 'number' ? meta.reported_date : Date.now();
      const doc = save({ type: 'data_record', form: meta.form, errors, tasks: [], fields, reported_date: reported, sms_message: meta });
      return [200, { success: true, id: doc._id }];
    }
    if (method === 'POST' && path === '/api/v1/people') {
      if (!body || typeof body.name !== 'string' || !body.name) return [400, { code: 400, error: 'Missing required fields: name' }];
      const place = typeof body.place === 'string' ? docs.get(body.place) : undefined;
      if (body.place !== undefined && !isPlaceDoc(place)) return [400, { code: 400, error: 'Failed to find place.' }];
      const { place: _p, _id: _ignored, ...rest } = body;
      const doc = save({ ...rest, type: rest.type ?? 'person', parent: minified(place), reported_date: Date.now() });
      return [200, { id: doc._id, rev: doc._rev }];
    }
    if (personApi && method === 'POST' && path === '/api/v1/person') {
      const problem = personInputProblem(body);
      if (problem) return invalid(problem);
      // local/person.ts getTypeProperties
      const custom = declaredType(body.type);
      if (!isPersonType(custom ?? { id: body.type })) return invalid(`[${body.type}] is not a valid person type.`);
      const typeProps = custom ? { contact_type: body.type, type: 'contact' } : { type: body.type };
      // local/person.ts assertParent, local/libs/lineage.ts assertHasValidParentType
      const parent = docs.get(body.parent);
      if (!parent) return invalid(`Parent contact [${body.parent}] not found.`);
      const childType = custom ?? DEFAULT_PERSON_TYPE;
      if (!(childType.parents ?? []).includes(typeId(parent)))
        return invalid(`Parent contact of type [${typeId(parent)}] is not allowed for type [${childType.id}].`);
      const reported = body.reported_date === undefined ? Date.now() : new Date(body.reported_date).getTime();
      const doc = save({ ...body, ...typeProps, parent: minified(parent), reported_date: reported });
      return [200, doc];
    }
    const person = /^\/api\/v1\/person\/([^/]+)$/.exec(path);
    if (personApi && method === 'PUT' && person) {
      // local/person.ts update
      if (!isPersonDoc(body) || typeof body._id !== 'string' || typeof body._rev !== 'string')
        return invalid('Valid _id, _rev, and type fields must be provided.');
      const old = docs.get(body._id);
      if (!old || old._deleted || !isPersonDoc(old)) return [404, { code: 404, error: `Person record [${body._id}] not found.` }];
      const changed = ['_rev', 'reported_date', 'type', 'contact_type'].filter((k) => old[k] !== body[k]);
      if (changed.length) return invalid(`The [${changed.join(',')}] fields must not be changed.`);
      if (old.name && (typeof body.name !== 'string' || !body.name.trim())) return invalid('The [name] field must have a [string] value.');
      if (!sameLineage(old.parent, body.parent)) return invalid('Parent lineage does not match.');
      const doc = save({ ...body, parent: minified(body.parent) });
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
    if (m && (method === 'GET' || method === 'HEAD')) {
      const doc = docs.get(decodeURIComponent(m[1]));
      return doc && !doc._deleted ? [200, doc, { etag: `"${doc._rev}"` }] : [404, { error: 'not_found', reason: doc ? 'deleted' : 'missing' }];
    }
    if (m && method === 'PUT') {
      const id = decodeURIComponent(m[1]);
      if (!body || typeof body !== 'object' || Array.isArray(body) || (body._id !== undefined && body._id !== id))
        return [400, { error: 'bad_request', reason: 'Document id must match the URL' }];
      state.beforePut?.(id);
      // CouchDB: a live doc needs its current _rev; a new or deleted one takes none.
      const old = docs.get(id);
      if (old && !old._deleted ? old._rev !== body._rev : body._rev !== undefined) return conflict;
      const doc = save({ ...body, _id: id, _rev: old?._rev });
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
        ([s, b, headers]) => {
          if (s < 300 && b && typeof b === 'object')
            for (const id of [(b as any).id, (b as any)._id]) if (typeof id === 'string' && docs.has(id)) index(docs.get(id)!);
          if (req.method === 'HEAD') return void res.writeHead(s, { 'content-type': 'application/json', ...headers }).end();
          reply(s, b, headers);
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
