import http from 'node:http';
import type { OperationOutcome } from 'fhir/r4';
import type { Credentials } from './auth';
import { DEFAULT_BODY_LIMIT, drainBody } from './body';
import { corsHeaders } from './cors';
import { FhirClient, type FhirCall, type Scope } from './fhir-client';
import { KeyLock } from './key-lock';
import { LateChecks } from './late-checks';
import { silentLogger, type Logger } from './log';
import { mediatorConfig, mediatorHeaders, mediatorResponse, startOpenhimRegistration, type OpenhimApiOptions } from './openhim';
import { answerOf, HttpError, outcome } from './failure';
import { route, PUSH_PATH, type Answer, type Routes } from './dispatch';
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

/** The receiver's HTTP edge: routes (routes.ts) answer, this writes each answer, logs it, and drains on close. */
export async function startReceiver(opts: ReceiverOptions): Promise<Receiver> {
  const log = opts.log ?? silentLogger;
  const client = new FhirClient({ baseUrl: opts.fhirBaseUrl, auth: opts.fhirAuth, trustSelfSigned: opts.fhirTrustSelfSigned });
  const deadlineMs = opts.deadlineMs ?? DEFAULT_DEADLINE_MS;
  const locks = new KeyLock();
  const routes: Routes = {
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
  const { cors, bodyLimit: limit, inbound } = routes;
  let inFlight = 0;
  let closing = false;
  let drained: () => void = () => undefined;

  const server = http.createServer((req, res) => {
    inFlight++;
    const started = Date.now();
    const scope: Scope = { deadline: started + routes.deadlineMs, calls: [] };
    const path = (req.url ?? '/').split('?')[0]!;
    void route(routes, req, path, scope)
      .catch((e: unknown): Answer => {
        if (!(e instanceof HttpError)) log('error', 'unexpected error', { error: (e as Error).message, path });
        const { status, body, headers } = answerOf(e);
        return { status, body, headers };
      })
      .then(async (answer) => {
        const headers = { ...(path === PUSH_PATH ? corsHeaders(req, cors) : {}), ...answer.headers };
        // An answer sent before the body was read (401, 415...) waits for the rest of it; one whose body could not be
        // read to the end (past the drain limit) cannot keep the connection.
        const read = answer.status === 413 ? req.complete : await drainBody(req);
        if (closing || !read) headers.connection = 'close';
        const openhimTx = req.headers['x-openhim-transactionid'];
        send(res, answer, headers, typeof openhimTx === 'string' ? { tx: openhimTx, calls: scope.calls } : undefined);
        log(answer.status >= 500 ? 'error' : answer.status >= 400 ? 'warn' : 'info', 'request', {
          method: req.method,
          path: path.slice(0, 200),
          status: answer.status,
          ms: Date.now() - started,
          fhirCalls: scope.calls.length,
          ...(typeof openhimTx === 'string' ? { openhimTransaction: openhimTx } : {}),
          ...(answer.status >= 400 && answer.status !== 401 ? { problem: (answer.body as OperationOutcome).issue?.[0]?.details?.text?.slice(0, 300) } : {}),
          ...answer.fields,
        });
      })
      .finally(() => {
        if (--inFlight === 0 && closing) drained();
      });
  });
  // Requests Node cannot even parse still get an OperationOutcome, not Node's bare 400.
  server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
    if (!socket.writable || (err.code !== 'HPE_INVALID_METHOD' && !err.code?.startsWith('HPE_'))) return void socket.destroy();
    const text = JSON.stringify(outcome('error', 'structure', `Malformed HTTP request (${err.code})`));
    socket.end(
      `HTTP/1.1 400 Bad Request\r\ncontent-type: application/fhir+json\r\ncontent-length: ${Buffer.byteLength(text)}\r\nconnection: close\r\n\r\n${text}`,
    );
  });
  // `Expect: 100-continue` (curl, above 1 MB): an oversized body is refused before it is sent.
  server.on('checkContinue', (req: http.IncomingMessage, res: http.ServerResponse) => {
    if (Number(req.headers['content-length']) > limit) {
      const text = JSON.stringify(outcome('error', 'too-costly', `Body larger than ${limit} bytes`));
      res.writeHead(413, { 'content-type': 'application/fhir+json; charset=utf-8', 'content-length': Buffer.byteLength(text), connection: 'close' });
      return void res.end(text);
    }
    res.writeContinue();
    server.emit('request', req, res);
  });
  server.requestTimeout = 30_000;
  server.headersTimeout = 15_000;
  server.keepAliveTimeout = 5_000;

  const host = opts.host ?? '127.0.0.1';
  const port = await listen(server, opts.port ?? 0, host);
  log('info', 'receiver listening', { host, port, fhirBaseUrl: redactUrl(opts.fhirBaseUrl), openhim: !!opts.openhim });
  const formsChecked = inbound ? checkInboundForms(inbound, deadlineMs, log) : undefined;

  const registration = opts.openhim
    ? startOpenhimRegistration(
        opts.openhim,
        mediatorConfig({ host: opts.openhim.mediatorHost ?? host, port: opts.openhim.mediatorPort ?? port, auth: opts.auth }),
        log,
      )
    : undefined;

  return {
    url: `http://${host}:${port}`,
    openhimRegistered: registration?.registered,
    inboundFormsChecked: formsChecked,
    lateChecksDone: () => routes.late.done(),
    close: async () => {
      closing = true;
      registration?.stop();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      if (inFlight > 0) await new Promise<void>((resolve) => (drained = resolve));
      server.closeIdleConnections();
      await closed;
      // Late answers still awaited are given up (their sockets cut): a stop does not wait up to lateCommitMs.
      client.close();
      await routes.late.done();
      log('info', 'receiver stopped', {});
    },
  };
}

function send(res: http.ServerResponse, answer: Answer, headers: Record<string, string>, openhim?: { tx: string; calls: FhirCall[] }): void {
  if (res.headersSent || res.destroyed) return;
  let text = answer.status === 204 ? '' : JSON.stringify(answer.body);
  let contentType = 'application/fhir+json; charset=utf-8';
  if (openhim && answer.status !== 204) {
    text = JSON.stringify(mediatorResponse(answer.status, mediatorHeaders(headers, contentType), text, openhim.calls, { 'openhim-transaction': openhim.tx }));
    contentType = 'application/json+openhim';
  }
  res.writeHead(answer.status, { ...headers, ...(text ? { 'content-type': contentType } : {}), 'content-length': Buffer.byteLength(text) });
  res.end(text);
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
