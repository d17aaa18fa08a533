import http from 'node:http';
import { listen } from '../../src/net/listen';
import { randomUUID } from 'node:crypto';
import { readAll } from './raw-http';

/**
 * A stand-in for openhim-core 8.x, kept ONLY for what the real OpenHIM these
 * machines run (4.0.5, the only version the npm registry serves; see
 * tools/openhim and test/openhim) cannot show: 8.x's HTTP Basic API login.
 * Everything 4.0.5 can answer (token login, registration rules, channels,
 * routing, auto-retry, reruns) is tested against the real one.
 * What it enforces, as read in jembi/openhim-core-js 8.x:
 * - API (src/koaApi.js, src/api/authentication.js): every route but
 *   GET /heartbeat needs a user; HTTP Basic is accepted, else 401 (so
 *   GET /authenticate/<user> without a login is a 401 too).
 * - POST /mediators (src/api/mediators.js addMediator, src/model/mediators.js):
 *   urn required, version SemVer x.y.z, name required, at least one endpoint,
 *   endpoint/route and channel fields per src/model/channels.js; 201; a known
 *   urn is only updated for a greater version. GET /mediators/:urn (404).
 * - POST /mediators/:urn/heartbeat: 404 unknown urn, 400 without uptime, 200.
 * - POST /mediators/:urn/channels: installs default channels by name;
 *   GET /channels, PUT /channels/:id.
 * - Router (src/middleware/router.js, messageStore.js): client Basic auth,
 *   channel by urlPattern/methods/allow, adds X-OpenHIM-TransactionID, drops
 *   the client's Authorization and sends the route's username/password, and
 *   for `application/json+openhim` answers the client from `response`,
 *   storing status/orchestrations/error of the mediator response.
 */
export interface OpenhimStandIn {
  apiUrl: string;
  routerUrl: string;
  mediators: Map<string, any>;
  heartbeats: { urn: string; uptime: number }[];
  transactions: { id: string; status: string; orchestrations: any[]; error?: unknown; autoRetry: boolean; response: { status: number } }[];
  apiRejections: { path: string; status: number; reason: string }[];
  addClient(clientID: string, password: string, roles: string[]): void;
  close(): Promise<void>;
}

const SEMVER = /^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/;
const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH'];
const MEDIATOR_STATUSES = ['Processing', 'Failed', 'Completed', 'Successful', 'Completed with error(s)'];

export async function startOpenhimStandIn(users: Record<string, string>): Promise<OpenhimStandIn> {
  const mediators = new Map<string, any>();
  const channels: any[] = [];
  const clients = new Map<string, { password: string; roles: string[] }>();
  const state = {
    heartbeats: [] as OpenhimStandIn['heartbeats'],
    transactions: [] as OpenhimStandIn['transactions'],
    apiRejections: [] as OpenhimStandIn['apiRejections'],
  };

  const api = http.createServer(async (req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const reply = (status: number, body: unknown = '') => {
      if (status >= 400) state.apiRejections.push({ path, status, reason: typeof body === 'string' ? body : JSON.stringify(body) });
      res.writeHead(status, { 'content-type': typeof body === 'string' ? 'text/plain' : 'application/json' });
      res.end(typeof body === 'string' ? body : JSON.stringify(body));
    };
    const raw = await readAll(req);
    if (req.method === 'GET' && path === '/heartbeat') return reply(200, { master: 1, now: Date.now() });
    const user = basicUser(req.headers.authorization);
    if (!user || users[user.name] !== user.password)
      return reply(401, 'API request could not be authenticated with configured authentication types: "basic, local, token, openid"');
    let body: any;
    try {
      body = raw.length ? JSON.parse(raw.toString('utf8')) : undefined;
    } catch {
      return reply(400, 'Invalid JSON');
    }
    if (req.method === 'POST' && path === '/mediators') {
      const problem = mediatorProblem(body);
      if (problem) return reply(400, `Could not add Mediator via the API: ValidationError: ${problem}`);
      const existing = mediators.get(body.urn);
      if (!existing || compareSemver(body.version, existing.version) > 0) mediators.set(body.urn, body);
      return reply(201);
    }
    const hb = /^\/mediators\/([^/]+)\/heartbeat$/.exec(path);
    if (req.method === 'POST' && hb) {
      const urn = decodeURIComponent(hb[1]);
      if (!mediators.has(urn)) return reply(404);
      if (body?.uptime == null) return reply(400);
      state.heartbeats.push({ urn, uptime: body.uptime });
      return reply(200);
    }
    const ch = /^\/mediators\/([^/]+)\/channels$/.exec(path);
    if (req.method === 'POST' && ch) {
      const m = mediators.get(decodeURIComponent(ch[1]));
      if (!m) return reply(404);
      if (!Array.isArray(body)) return reply(400, 'Expected an array of channel names');
      for (const name of body) {
        const c = (m.defaultChannelConfig ?? []).find((d: any) => d.name === name);
        if (!c) return reply(400, `No default channel ${name}`);
        channels.push({ ...JSON.parse(JSON.stringify(c)), _id: randomUUID() });
      }
      return reply(201);
    }
    if (req.method === 'GET' && path === '/mediators') return reply(200, [...mediators.values()]);
    const one = /^\/mediators\/([^/]+)$/.exec(path);
    if (req.method === 'GET' && one) {
      const m = mediators.get(decodeURIComponent(one[1]));
      return m ? reply(200, m) : reply(404);
    }
    if (req.method === 'GET' && path === '/channels') return reply(200, channels);
    const put = /^\/channels\/([^/]+)$/.exec(path);
    if (req.method === 'PUT' && put) {
      const c = channels.find((x) => x._id === decodeURIComponent(put[1]));
      if (!c) return reply(404);
      Object.assign(c, body);
      return reply(200);
    }
    return reply(404);
  });

  const router = http.createServer(async (req, res) => {
    const body = await readAll(req);
    const path = (req.url ?? '/').split('?')[0];
    const user = basicUser(req.headers.authorization);
    const client = user && clients.get(user.name);
    if (!client || client.password !== user.password) {
      res.writeHead(401, { 'www-authenticate': 'Basic' });
      return res.end('Unauthorized');
    }
    const channel = channels.find((c) => new RegExp(c.urlPattern).test(path) && (!c.methods?.length || c.methods.includes(req.method)));
    if (!channel) {
      res.writeHead(404);
      return res.end('Not Found');
    }
    if (channel.authType !== 'public' && !client.roles.some((r) => channel.allow.includes(r))) {
      res.writeHead(401);
      return res.end('Unauthorized');
    }
    const route = channel.routes.find((r: any) => r.primary) ?? channel.routes[0];
    const txId = randomUUID().replace(/-/g, '').slice(0, 24);
    const headers: http.OutgoingHttpHeaders = { ...req.headers, 'X-OpenHIM-TransactionID': txId };
    delete headers.authorization; // route.forwardAuthHeader defaults to false
    delete headers.host;
    if (route.username && route.password) headers.authorization = 'Basic ' + Buffer.from(`${route.username}:${route.password}`).toString('base64');
    const answer = await new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }>((ok, ko) => {
      const up = http.request(
        { host: route.host, port: route.port, path: route.path ?? req.url, method: req.method, headers, timeout: channel.timeout ?? 60000 },
        (r) => {
          readAll(r).then((b) => ok({ status: r.statusCode ?? 0, headers: r.headers, body: b }), ko);
        },
      );
      up.on('timeout', () => up.destroy(new Error('timeout')));
      up.on('error', ko);
      up.end(body);
    }).catch((e: Error): { status: number; headers: http.IncomingHttpHeaders; body: Buffer } => ({
      status: 500,
      headers: {},
      body: Buffer.from(`An internal server error occurred: ${e.message}`),
    }));
    const tx: OpenhimStandIn['transactions'][number] = {
      id: txId,
      status: answer.status < 300 ? 'Successful' : answer.status < 500 ? 'Completed' : 'Failed',
      orchestrations: [],
      autoRetry: false,
      response: { status: answer.status },
    };
    state.transactions.push(tx);
    if (String(answer.headers['content-type'] ?? '').includes('application/json+openhim')) {
      const m = JSON.parse(answer.body.toString('utf8'));
      const problem = mediatorResponseProblem(m);
      if (problem) {
        tx.status = 'Failed';
        tx.error = { message: `invalid mediator response: ${problem}` };
        res.writeHead(500);
        return res.end(`invalid mediator response: ${problem}`);
      }
      if (m.error != null) {
        tx.autoRetry = true;
        tx.error = m.error;
      }
      tx.status = m.status ?? tx.status;
      tx.orchestrations = m.orchestrations ?? [];
      tx.response = { status: Number(m.response.status) };
      res.writeHead(Number(m.response.status), { ...m.response.headers, 'X-OpenHIM-TransactionID': txId });
      return res.end(m.response.body ?? '');
    }
    res.writeHead(answer.status, { 'content-type': String(answer.headers['content-type'] ?? 'text/plain') });
    res.end(answer.body);
  });

  const listenUrl = async (s: http.Server) => `http://127.0.0.1:${await listen(s, 0, '127.0.0.1')}`;
  const apiUrl = await listenUrl(api);
  const routerUrl = await listenUrl(router);
  return {
    apiUrl,
    routerUrl,
    mediators,
    ...state,
    addClient: (id, password, roles) => clients.set(id, { password, roles }),
    close: async () => {
      api.closeAllConnections();
      router.closeAllConnections();
      await Promise.all([new Promise((ok) => api.close(ok)), new Promise((ok) => router.close(ok))]);
    },
  };
}

function mediatorProblem(m: any): string | undefined {
  if (!m || typeof m !== 'object') return 'body must be a mediator object';
  if (!m.urn) return 'URN is required';
  if (!m.version || !SEMVER.test(m.version)) return 'Version is required. Must be in SemVer form x.y.z';
  if (typeof m.name !== 'string' || !m.name) return 'Path `name` is required.';
  if (!Array.isArray(m.endpoints) || m.endpoints.length < 1) return 'At least 1 endpoint is required';
  for (const e of m.endpoints) {
    const p = routeProblem(e);
    if (p) return `endpoints: ${p}`;
  }
  for (const c of m.defaultChannelConfig ?? []) {
    if (!c.name) return 'defaultChannelConfig: Path `name` is required.';
    if (!c.urlPattern) return 'defaultChannelConfig: Path `urlPattern` is required.';
    try {
      new RegExp(c.urlPattern);
    } catch {
      return `defaultChannelConfig: invalid urlPattern ${c.urlPattern}`;
    }
    if (c.methods && !c.methods.every((x: string) => METHODS.includes(x))) return 'defaultChannelConfig: invalid method';
    if (c.authType && !['private', 'public'].includes(c.authType)) return 'defaultChannelConfig: invalid authType';
    if (c.type && !['http', 'tcp', 'tls', 'polling'].includes(c.type)) return 'defaultChannelConfig: invalid type';
    if (!Array.isArray(c.allow) || !c.allow.length) return 'defaultChannelConfig: allow must list roles';
    if (c.timeout != null && !(c.timeout >= 1 && c.timeout <= 3600000)) return 'defaultChannelConfig: timeout out of range';
    for (const r of c.routes ?? []) {
      const p = routeProblem(r);
      if (p) return `defaultChannelConfig.routes: ${p}`;
    }
  }
  for (const d of m.configDefs ?? [])
    if (!['string', 'bool', 'number', 'option', 'bigstring', 'map', 'struct', 'password'].includes(d.type)) return `configDefs: invalid type ${d.type}`;
  return undefined;
}

function routeProblem(r: any): string | undefined {
  if (!r?.name) return 'Path `name` is required.';
  if (r.type && !['http', 'kafka'].includes(r.type)) return `invalid type ${r.type}`;
  if (r.port != null && !(Number.isInteger(r.port) && r.port >= 0 && r.port <= 65536)) return `invalid port ${r.port}`;
  if ((r.type ?? 'http') === 'http' && !r.host) return 'http route needs a host';
  return undefined;
}

function mediatorResponseProblem(m: any): string | undefined {
  if (!m['x-mediator-urn']) return 'x-mediator-urn missing';
  if (m.status && !MEDIATOR_STATUSES.includes(m.status)) return `status ${m.status}`;
  if (!m.response || !Number.isFinite(Number(m.response.status))) return 'response.status missing';
  if (m.response.body != null && typeof m.response.body !== 'string') return 'response.body must be a string';
  for (const o of m.orchestrations ?? []) {
    if (!o.name) return 'orchestration without name';
    if (o.request && !o.request.timestamp) return 'orchestration request without timestamp';
    if (o.request?.body != null && typeof o.request.body !== 'string') return 'orchestration request.body must be a string';
    if (o.response && !Number.isFinite(o.response.status)) return 'orchestration response.status must be a number';
  }
  return undefined;
}

function compareSemver(a: string, b: string): number {
  const pa = a.split(/[.+-]/).slice(0, 3).map(Number);
  const pb = b.split(/[.+-]/).slice(0, 3).map(Number);
  for (let i = 0; i < 3; i++) if (pa[i] !== pb[i]) return pa[i] - pb[i];
  return 0;
}

function basicUser(header?: string): { name: string; password: string } | undefined {
  if (!header?.startsWith('Basic ')) return undefined;
  const s = Buffer.from(header.slice(6), 'base64').toString('utf8');
  const i = s.indexOf(':');
  return i < 0 ? undefined : { name: s.slice(0, i), password: s.slice(i + 1) };
}
