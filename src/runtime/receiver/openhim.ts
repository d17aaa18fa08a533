import baseConfig from './mediator-config.json';
import type { Credentials } from './auth';
import type { FhirCall } from './fhir-client';
import type { Logger } from './log';
import { OpenhimApi, type OpenhimApiOptions } from './openhim-api';

/** The mediator registration document (openhim-core src/model/mediators.js). */
export type MediatorConfig = typeof baseConfig & {
  defaultChannelConfig: (typeof baseConfig.defaultChannelConfig)[number] & { routes: { username?: string; password?: string }[] }[];
};

export const MEDIATOR_URN = baseConfig.urn;

/**
 * The registration document with where OpenHIM reaches this receiver, and the
 * credentials its route must present: OpenHIM drops the client's
 * Authorization header (route.forwardAuthHeader is false by default,
 * openhim-core src/middleware/router.js) and sends route.username/password.
 */
export function mediatorConfig(receiver: { host: string; port: number; auth: Credentials }): MediatorConfig {
  const config = JSON.parse(JSON.stringify(baseConfig)) as MediatorConfig;
  for (const e of config.endpoints) Object.assign(e, { host: receiver.host, port: receiver.port });
  for (const ch of config.defaultChannelConfig)
    for (const r of ch.routes)
      Object.assign(r, { host: receiver.host, port: receiver.port, username: receiver.auth.username, password: receiver.auth.password });
  return config;
}

const HOP_BY_HOP = new Set(['connection', 'content-length', 'keep-alive', 'transfer-encoding']);

/**
 * The headers of our answer that OpenHIM must pass on: it copies to the
 * client only the mediator response's `response.headers` (openhim-core
 * src/middleware/router.js), so Retry-After, Location, ETag,
 * Content-Location, WWW-Authenticate, Allow... go there, hop-by-hop ones not.
 */
export function mediatorHeaders(headers: Record<string, string>, contentType: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) if (!HOP_BY_HOP.has(k.toLowerCase())) out[k.toLowerCase()] = v;
  return { ...out, 'content-type': contentType };
}

/** Mediator status of a transaction from our HTTP status (openhim-core src/model/transactions.js). */
function mediatorStatus(status: number): 'Successful' | 'Completed' | 'Failed' {
  return status < 300 ? 'Successful' : status < 500 ? 'Completed' : 'Failed';
}

/**
 * The `application/json+openhim` body: OpenHIM answers the client with
 * `response` (its status becomes CHT's status) and stores orchestrations;
 * `error` marks the transaction for auto-retry.
 */
export function mediatorResponse(
  status: number,
  headers: Record<string, string>,
  body: string,
  calls: FhirCall[],
  properties: Record<string, string | number>,
) {
  const failed = status >= 500;
  return {
    'x-mediator-urn': MEDIATOR_URN,
    status: mediatorStatus(status),
    response: { status, headers, body, timestamp: new Date().toISOString() },
    orchestrations: calls.map((c) => {
      const url = new URL(c.url);
      return {
        name: c.name,
        request: {
          host: url.hostname,
          port: url.port,
          path: url.pathname,
          method: c.method,
          headers: { 'content-type': 'application/fhir+json' },
          body: c.requestBody,
          timestamp: c.startedAt.toISOString(),
        },
        ...(c.status !== undefined
          ? { response: { status: c.status, headers: c.responseHeaders ?? {}, body: c.responseBody ?? '', timestamp: c.endedAt.toISOString() } }
          : {}),
        ...(c.error ? { error: { message: c.error } } : {}),
      };
    }),
    properties,
    ...(failed ? { error: { message: safeText(body) } } : {}),
  };
}

function safeText(body: string): string {
  try {
    const o = JSON.parse(body) as { issue?: { details?: { text?: string } }[] };
    return o.issue?.map((i) => i.details?.text).join('; ') || body.slice(0, 500);
  } catch {
    return body.slice(0, 500);
  }
}

export type { OpenhimApiOptions };

type Route = { name: string; host: string; port: number; username?: string; password?: string };
type ChannelLike = { name: string; urlPattern?: string; methods?: string[]; allow?: string[]; routes?: Route[] };
interface Registered {
  urn: string;
  version: string;
  endpoints?: { host?: string; port?: number; path?: string }[];
  defaultChannelConfig?: ChannelLike[];
}

const semverParts = (v: string) => (/^(\d+)\.(\d+)\.(\d+)/.exec(v) ?? []).slice(1, 4).map(Number);

/** -1, 0, 1 comparing x.y.z (pre-release and build parts ignored). */
export function compareVersions(a: string, b: string): number {
  const [x, y] = [semverParts(a), semverParts(b)];
  for (let i = 0; i < 3; i++) if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) > (y[i] ?? 0) ? 1 : -1;
  return 0;
}

/**
 * The version to register a changed config with: OpenHIM (addMediator in
 * src/api/mediators.js) replaces a registered mediator only when the new
 * version is greater, so a change registers as the greater of ours and the
 * registered one's next patch.
 */
export function nextVersion(registered: string, ours: string): string {
  if (compareVersions(ours, registered) > 0) return ours;
  const [major = 0, minor = 0, patch = 0] = semverParts(registered);
  return `${major}.${minor}.${patch + 1}`;
}

const routeKey = (r: Route) => [r.name, r.host, Number(r.port), r.username ?? '', r.password ?? ''].join('\u0000');
const channelKey = (c: ChannelLike) =>
  JSON.stringify([c.name, c.urlPattern, [...(c.methods ?? [])].sort(), [...(c.allow ?? [])].sort(), (c.routes ?? []).map(routeKey)]);

/** Whether OpenHIM's registration already says what ours says: where it reaches us, with what, on which channels. */
export function sameRegistration(registered: Registered, ours: MediatorConfig): boolean {
  const ends = (m: Registered | MediatorConfig) => JSON.stringify((m.endpoints ?? []).map((e) => [e.host, Number(e.port), e.path]));
  const chans = (m: Registered | MediatorConfig) => JSON.stringify(((m.defaultChannelConfig ?? []) as ChannelLike[]).map(channelKey));
  return ends(registered) === ends(ours) && chans(registered) === chans(ours);
}

/**
 * Routes of an installed channel brought to where ours say (by route name),
 * only where the route is still as the previous registration had it: a route
 * an admin pointed elsewhere (a load balancer, another port) is left alone.
 * Undefined when no route changes.
 */
export function updatedRoutes(installed: ChannelLike, ours: ChannelLike, previous: ChannelLike | undefined): Route[] | undefined {
  let changed = false;
  const routes = (installed.routes ?? []).map((r) => {
    const want = ours.routes?.find((o) => o.name === r.name);
    const was = previous?.routes?.find((o) => o.name === r.name);
    if (!want || !was || routeKey(r) !== routeKey(was) || routeKey(r) === routeKey(want)) return r;
    changed = true;
    return { ...r, host: want.host, port: want.port, username: want.username, password: want.password };
  });
  return changed ? routes : undefined;
}

export type RegistrationResult = { action: 'created' | 'updated' | 'unchanged'; version: string; channelsUpdated: string[] };

/**
 * Registers the mediator so that OpenHIM ends up with this config: created
 * when unknown; when known with a different endpoint, channel or route
 * credentials, re-registered with a greater version (and checked), and the
 * channels already installed from it (same names) get the new routes.
 */
export async function registerMediator(api: OpenhimApi, config: MediatorConfig): Promise<RegistrationResult> {
  const path = `/mediators/${encodeURIComponent(config.urn)}`;
  const got = await api.call('GET', path);
  if (got.status === 404) {
    await api.json('POST', '/mediators', config);
    return { action: 'created', version: config.version, channelsUpdated: [] };
  }
  if (got.status !== 200) throw new Error(`OpenHIM GET ${path} answered HTTP ${got.status}: ${got.body.slice(0, 200)}`);
  const registered = JSON.parse(got.body) as Registered;
  if (sameRegistration(registered, config)) return { action: 'unchanged', version: registered.version, channelsUpdated: [] };
  const version = nextVersion(registered.version, config.version);
  await api.json('POST', '/mediators', { ...config, version });
  const after = await api.json<Registered>('GET', path);
  if (!sameRegistration(after, config)) throw new Error(`OpenHIM kept the registration of version ${after.version} after a POST of version ${version}`);
  return { action: 'updated', version, channelsUpdated: await updateInstalledChannels(api, config, registered) };
}

/** Installed channels named like ours whose routes are as the previous registration had them get our routes (PUT /channels/<id>). */
async function updateInstalledChannels(api: OpenhimApi, config: MediatorConfig, previous: Registered): Promise<string[]> {
  const installed = await api.json<(ChannelLike & { _id: string })[]>('GET', '/channels');
  const updated: string[] = [];
  for (const ours of config.defaultChannelConfig) {
    for (const ch of installed.filter((c) => c.name === ours.name)) {
      const routes = updatedRoutes(
        ch,
        ours,
        previous.defaultChannelConfig?.find((c) => c.name === ours.name),
      );
      if (!routes) continue;
      await api.json('PUT', `/channels/${encodeURIComponent(ch._id)}`, { routes });
      updated.push(ch.name);
    }
  }
  return updated;
}

/**
 * Registers the mediator (registerMediator) and sends a heartbeat every 10 s
 * (POST /mediators/<urn>/heartbeat with {uptime}). A failed registration is
 * retried on each heartbeat tick, so the receiver works (and keeps trying)
 * while OpenHIM is down; a heartbeat answered 404 (OpenHIM lost us) registers
 * again.
 */
export function startOpenhimRegistration(opts: OpenhimApiOptions, config: MediatorConfig, log: Logger): { stop(): void; registered: Promise<void> } {
  const api = new OpenhimApi(opts, log);
  const started = Date.now();
  let registered = false;
  let resolveRegistered: () => void = () => undefined;
  const registeredPromise = new Promise<void>((r) => (resolveRegistered = r));
  let running = false;
  const tick = async () => {
    if (running) return; // a slow OpenHIM: never two ticks at once
    running = true;
    try {
      if (!registered) {
        const r = await registerMediator(api, config);
        registered = true;
        resolveRegistered();
        log('info', 'registered with OpenHIM', {
          urn: config.urn,
          api: opts.apiUrl,
          registration: r.action,
          version: r.version,
          auth: api.authScheme,
          ...(r.channelsUpdated.length ? { channelsUpdated: r.channelsUpdated } : {}),
        });
      }
      const hb = await api.call('POST', `/mediators/${encodeURIComponent(config.urn)}/heartbeat`, { uptime: (Date.now() - started) / 1000 });
      if (hb.status === 404) registered = false;
      if (hb.status !== 200) throw new Error(`heartbeat answered HTTP ${hb.status}`);
    } catch (e) {
      log('warn', 'OpenHIM registration/heartbeat failed', { error: (e as Error).message, api: opts.apiUrl, auth: api.authScheme ?? opts.auth ?? 'auto' });
    } finally {
      running = false;
    }
  };
  void tick();
  const timer = setInterval(() => void tick(), opts.heartbeatMs ?? 10_000);
  timer.unref();
  return { stop: () => clearInterval(timer), registered: registeredPromise };
}
