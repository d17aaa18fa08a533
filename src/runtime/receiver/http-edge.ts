import http from 'node:http';
import type { Duplex } from 'node:stream';
import type { OperationOutcome } from 'fhir/r4';
import { drainBody, tooLarge } from './body';
import { corsHeaders } from './cors';
import type { FhirCall, Scope } from './fhir-client';
import type { Logger, LogLevel } from './log';
import { mediatorHeaders, mediatorResponse } from './openhim';
import { answerOf, HttpError, outcome } from './failure';
import { route, PUSH_PATH, type Answer, type Routes } from './dispatch';

/**
 * The receiver's HTTP edge: the routes (dispatch.ts) answer each request;
 * this writes the answer, logs it, and on close stops accepting, lets the
 * requests in flight finish and closes their connections.
 */
export class HttpEdge {
  readonly server: http.Server;
  private inFlight = 0;
  private closing = false;
  private drained: () => void = () => undefined;

  constructor(
    private readonly routes: Routes,
    private readonly log: Logger,
  ) {
    this.server = http.createServer((req, res) => void this.handle(req, res));
    // Requests Node cannot even parse still get an OperationOutcome, not Node's bare 400.
    this.server.on('clientError', answerMalformed);
    this.server.on('checkContinue', (req: http.IncomingMessage, res: http.ServerResponse) => continueUnlessTooLarge(this.server, routes.bodyLimit, req, res));
    this.server.requestTimeout = 30_000;
    this.server.headersTimeout = 15_000;
    this.server.keepAliveTimeout = 5_000;
  }

  /** Stops accepting; resolves once the requests in flight are answered and the server is closed. */
  async close(): Promise<void> {
    this.closing = true;
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeIdleConnections();
    if (this.inFlight > 0) await new Promise<void>((resolve) => (this.drained = resolve));
    this.server.closeIdleConnections();
    await closed;
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    this.inFlight++;
    try {
      const started = Date.now();
      const scope: Scope = { deadline: started + this.routes.deadlineMs, calls: [] };
      const path = (req.url ?? '/').split('?')[0]!;
      const answer = await route(this.routes, req, path, scope).catch((e: unknown) => failureAnswer(e, path, this.log));
      await this.respond(req, res, { path, started, scope, answer });
    } finally {
      if (--this.inFlight === 0 && this.closing) this.drained();
    }
  }

  /** Writes the answer once the request body is read (or given up) and logs the request. */
  private async respond(req: http.IncomingMessage, res: http.ServerResponse, done: Done): Promise<void> {
    const { path, answer } = done;
    const headers = { ...(path === PUSH_PATH ? corsHeaders(req, this.routes.cors) : {}), ...answer.headers };
    // An answer sent before the body was read (401, 415...) waits for the rest of it; one whose body could not be
    // read to the end (past the drain limit) cannot keep the connection.
    const read = answer.status === 413 ? req.complete : await drainBody(req);
    if (this.closing || !read) headers.connection = 'close';
    const openhimTx = req.headers['x-openhim-transactionid'];
    const tx = typeof openhimTx === 'string' ? openhimTx : undefined;
    send(res, answer, headers, tx === undefined ? undefined : { tx, calls: done.scope.calls });
    this.log(levelOf(answer.status), 'request', requestFields(req, done, tx));
  }
}

/** One request routed: where it went, when it started, its FHIR calls, and the answer. */
interface Done {
  path: string;
  started: number;
  scope: Scope;
  answer: Answer;
}

/** A route's failure as its answer; one that is no HttpError is a bug, logged. */
function failureAnswer(e: unknown, path: string, log: Logger): Answer {
  if (!(e instanceof HttpError)) log('error', 'unexpected error', { error: (e as Error).message, path });
  const { status, body, headers } = answerOf(e);
  return { status, body, headers };
}

function levelOf(status: number): LogLevel {
  return status >= 500 ? 'error' : status >= 400 ? 'warn' : 'info';
}

/** The fields of a request's log line (its time taken up to now). */
function requestFields(req: http.IncomingMessage, done: Done, openhimTx: string | undefined): Record<string, unknown> {
  const { answer } = done;
  return {
    method: req.method,
    path: done.path.slice(0, 200),
    status: answer.status,
    ms: Date.now() - done.started,
    fhirCalls: done.scope.calls.length,
    ...(openhimTx !== undefined ? { openhimTransaction: openhimTx } : {}),
    ...(answer.status >= 400 && answer.status !== 401 ? { problem: (answer.body as OperationOutcome).issue?.[0]?.details?.text?.slice(0, 300) } : {}),
    ...answer.fields,
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

/** A request Node could not parse: a 400 OperationOutcome when the socket can still take one, else the socket cut. */
function answerMalformed(err: NodeJS.ErrnoException, socket: Duplex): void {
  if (!socket.writable || !err.code?.startsWith('HPE_')) return void socket.destroy();
  const text = JSON.stringify(outcome('error', 'structure', `Malformed HTTP request (${err.code})`));
  socket.end(
    `HTTP/1.1 400 Bad Request\r\ncontent-type: application/fhir+json\r\ncontent-length: ${Buffer.byteLength(text)}\r\nconnection: close\r\n\r\n${text}`,
  );
}

/** `Expect: 100-continue` (curl, above 1 MB): an oversized body is refused before it is sent. */
function continueUnlessTooLarge(server: http.Server, limit: number, req: http.IncomingMessage, res: http.ServerResponse): void {
  if (Number(req.headers['content-length']) > limit) {
    const text = JSON.stringify(tooLarge(limit).body);
    res.writeHead(413, { 'content-type': 'application/fhir+json; charset=utf-8', 'content-length': Buffer.byteLength(text), connection: 'close' });
    return void res.end(text);
  }
  res.writeContinue();
  server.emit('request', req, res);
}
