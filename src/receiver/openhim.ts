import baseConfig from './mediator-config.json';
import { basicAuthHeader, type Credentials } from './auth';
import type { FhirCall } from './fhir-client';
import type { Logger } from './log';
import { send, within, type Reply } from '../net/request';

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

/** Mediator status of a transaction from our HTTP status (openhim-core src/model/transactions.js). */
export function mediatorStatus(status: number): 'Successful' | 'Completed' | 'Failed' {
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

export interface OpenhimApiOptions {
  apiUrl: string;
  username: string;
  password: string;
  trustSelfSigned?: boolean;
  heartbeatMs?: number;
}

/**
 * Registers the mediator (POST /mediators, 201) and sends a heartbeat every
 * 10 s (POST /mediators/<urn>/heartbeat with {uptime}); OpenHIM 8 API takes
 * HTTP Basic. A failed registration is retried on each heartbeat tick, so
 * the receiver works (and keeps trying) while OpenHIM is down.
 */
export function startOpenhimRegistration(api: OpenhimApiOptions, config: MediatorConfig, log: Logger): { stop(): void; registered: Promise<void> } {
  const started = Date.now();
  let registered = false;
  let resolveRegistered: () => void = () => undefined;
  const registeredPromise = new Promise<void>((r) => (resolveRegistered = r));
  const tick = async () => {
    try {
      if (!registered) {
        const res = await call(api, 'POST', '/mediators', config);
        if (res.status !== 201) throw new Error(`registration answered HTTP ${res.status}: ${res.body.slice(0, 200)}`);
        registered = true;
        resolveRegistered();
        log('info', 'registered with OpenHIM', { urn: config.urn, api: api.apiUrl });
      }
      const hb = await call(api, 'POST', `/mediators/${encodeURIComponent(config.urn)}/heartbeat`, { uptime: (Date.now() - started) / 1000 });
      if (hb.status === 404) registered = false; // OpenHIM lost us: register again next tick
      if (hb.status !== 200) throw new Error(`heartbeat answered HTTP ${hb.status}`);
    } catch (e) {
      log('warn', 'OpenHIM registration/heartbeat failed', { error: (e as Error).message, api: api.apiUrl });
    }
  };
  void tick();
  const timer = setInterval(() => void tick(), api.heartbeatMs ?? 10_000);
  timer.unref();
  return { stop: () => clearInterval(timer), registered: registeredPromise };
}

function call(api: OpenhimApiOptions, method: string, path: string, body: unknown): Promise<Reply> {
  const url = new URL(api.apiUrl.replace(/\/+$/, '') + path);
  const headers = { authorization: basicAuthHeader(api), 'content-type': 'application/json' };
  return within(send(url, { method, headers, body: JSON.stringify(body), trustSelfSigned: api.trustSelfSigned }), 5000);
}
