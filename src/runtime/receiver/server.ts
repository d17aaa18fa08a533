import type { Credentials } from './auth';
import { DEFAULT_BODY_LIMIT } from './body';
import { FhirClient } from './fhir-client';
import { HttpEdge } from './http-edge';
import { KeyLock } from './key-lock';
import { LateChecks } from './late-checks';
import { silentLogger, type Logger } from './log';
import { mediatorConfig, startOpenhimRegistration, type OpenhimApiOptions } from './openhim';
import { PUSH_PATH, type Answer, type Routes } from './dispatch';
import { checkInboundForms } from './inbound/route';
import { inboundDeps } from './inbound/deps';
import type { ReceiverModel } from '../../core/receiver-model';
import { listen } from '../../net/listen';

export { PUSH_PATH, type Answer };
/** CHT gives up after 10 s; we answer by 8 s at the latest, whatever the FHIR server does. */
export const DEFAULT_DEADLINE_MS = 7500;

export interface ReceiverOptions {
  port?: number;
  host?: string;
  /** HTTP Basic credentials clients (CHT, OpenHIM routes, the browser outbox) must present. */
  auth: Credentials;
  fhirBaseUrl: string;
  fhirAuth?: Credentials;
  fhirTrustSelfSigned?: boolean;
  corsOrigins?: readonly string[];
  bodyLimit?: number;
  /** Total time budget of one push, FHIR calls included. */
  deadlineMs?: number;
  /**
   * How long a transaction carrying creates is still awaited after the push
   * was answered 504 (default 60 s): if it commits late over a newer version
   * (HAPI ignores If-None-Match), that version is put back. 0: not awaited.
   */
  lateCommitMs?: number;
  /** FHIR -> CHT: when set, `POST /fhir/<Type>` and `PUT /fhir/<Type>/<id>` go through the inbound mappings. */
  inbound?: { chtUrl: string; model: ReceiverModel };
  /** Register with OpenHIM and heartbeat; `mediatorHost`/`mediatorPort` are where OpenHIM reaches us. */
  openhim?: OpenhimApiOptions & { mediatorHost?: string; mediatorPort?: number };
  log?: Logger;
}

export interface Receiver {
  url: string;
  /** Stops accepting, lets in-flight requests finish, then stops the heartbeat. */
  close(): Promise<void>;
  openhimRegistered?: Promise<void>;
  /** FHIR -> CHT: the start-up check that CHT has every inbound JSON form (the missing ones). */
  inboundFormsChecked?: Promise<string[] | undefined>;
  /** Resolves when the late-commit checks running now have ended (`close` cuts the waits for late answers). */
  lateChecksDone(): Promise<void>;
}

export const DEFAULT_LATE_COMMIT_MS = 60_000;

/** The receiver: its routes behind the HTTP edge (http-edge.ts), listening, then the start-up checks and OpenHIM registration. */
export async function startReceiver(opts: ReceiverOptions): Promise<Receiver> {
  const log = opts.log ?? silentLogger;
  const routes = receiverRoutes(opts, log);
  const edge = new HttpEdge(routes, log);
  const host = opts.host ?? '127.0.0.1';
  const port = await listen(edge.server, opts.port ?? 0, host);
  log('info', 'receiver listening', { host, port, fhirBaseUrl: redactUrl(opts.fhirBaseUrl), openhim: !!opts.openhim });
  const formsChecked = routes.inbound ? checkInboundForms(routes.inbound, routes.deadlineMs, log) : undefined;
  const registration = opts.openhim ? registerWithOpenhim(opts.openhim, opts.auth, { host, port }, log) : undefined;
  return {
    url: `http://${host}:${port}`,
    openhimRegistered: registration?.registered,
    inboundFormsChecked: formsChecked,
    lateChecksDone: () => routes.late.done(),
    close: () => stopReceiver(edge, routes, registration, log),
  };
}

/** What the routes work with, from the options. */
function receiverRoutes(opts: ReceiverOptions, log: Logger): Routes {
  const client = new FhirClient({ baseUrl: opts.fhirBaseUrl, auth: opts.fhirAuth, trustSelfSigned: opts.fhirTrustSelfSigned });
  const deadlineMs = opts.deadlineMs ?? DEFAULT_DEADLINE_MS;
  const locks = new KeyLock();
  return {
    auth: opts.auth,
    client,
    locks,
    late: new LateChecks(opts.lateCommitMs ?? DEFAULT_LATE_COMMIT_MS, deadlineMs, log),
    inbound: opts.inbound ? inboundDeps(opts.inbound, client, locks) : undefined,
    cors: opts.corsOrigins ?? [],
    bodyLimit: opts.bodyLimit ?? DEFAULT_BODY_LIMIT,
    deadlineMs,
    startedAt: Date.now(),
  };
}

/** Registration with OpenHIM and its heartbeat; OpenHIM reaches us at `mediatorHost`/`mediatorPort`, else where we listen. */
function registerWithOpenhim(
  openhim: NonNullable<ReceiverOptions['openhim']>,
  auth: Credentials,
  at: { host: string; port: number },
  log: Logger,
): OpenhimRegistration {
  const config = mediatorConfig({ host: openhim.mediatorHost ?? at.host, port: openhim.mediatorPort ?? at.port, auth });
  return startOpenhimRegistration(openhim, config, log);
}

type OpenhimRegistration = ReturnType<typeof startOpenhimRegistration>;

/** Stops the heartbeat and the HTTP edge (requests in flight finish), then the FHIR client's sockets and the late checks. */
async function stopReceiver(edge: HttpEdge, routes: Routes, registration: OpenhimRegistration | undefined, log: Logger): Promise<void> {
  registration?.stop();
  await edge.close();
  // Late answers still awaited are given up (their sockets cut): a stop does not wait up to lateCommitMs.
  routes.client.close();
  await routes.late.done();
  log('info', 'receiver stopped', {});
}

/** Log the FHIR server's address without any user:password part. */
function redactUrl(u: string): string {
  try {
    const url = new URL(u);
    url.username = '';
    url.password = '';
    return url.href;
  } catch {
    return '(invalid url)';
  }
}
