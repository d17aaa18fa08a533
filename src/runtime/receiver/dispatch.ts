import type http from 'node:http';
import type { OperationOutcome, Resource } from 'fhir/r4';
import { basicAuthMatches, type Credentials } from './auth';
import { checkContentType, parseJson, readBody } from './body';
import { corsHeaders, preflightHeaders } from './cors';
import { deliver } from './deliver';
import type { Scope, FhirClient } from './fhir-client';
import type { KeyLock } from './key-lock';
import type { LateChecks } from './late-checks';
import { fail, HttpError, outcome } from './failure';
import { readPush } from './payload';
import type { InboundDeps } from './inbound/deps';
import { isInboundPath } from './inbound/handle';
import { routeInbound } from './inbound/route';

export const PUSH_PATH = '/cht-fhir/push';

/** What a route answers; the HTTP edge (http-edge.ts) writes it, as an OpenHIM mediator response when asked. */
export interface Answer {
  status: number;
  body: OperationOutcome | Record<string, unknown> | Resource;
  headers?: Record<string, string>;
  /** Extra fields for the request's log line. */
  fields?: Record<string, unknown>;
}

export interface Routes {
  auth: Credentials;
  client: FhirClient;
  locks: KeyLock;
  late: LateChecks;
  inbound?: InboundDeps;
  cors: readonly string[];
  bodyLimit: number;
  deadlineMs: number;
  startedAt: number;
}

/** One request: `/health`, the push endpoint (CHT -> FHIR) or the FHIR endpoints (FHIR -> CHT). Throws HttpError for refusals. */
export async function route(r: Routes, req: http.IncomingMessage, path: string, scope: Scope): Promise<Answer> {
  if (path === '/health') {
    if (req.method !== 'GET' && req.method !== 'HEAD') throw fail(405, 'not-supported', `${req.method} not allowed on ${path}`);
    return { status: 200, body: { status: 'pass', uptimeSeconds: Math.round((Date.now() - r.startedAt) / 1000) } };
  }
  if (path === PUSH_PATH) {
    if (req.method === 'POST') return push(r, req, scope);
    if (req.method === 'OPTIONS') {
      if (!Object.keys(corsHeaders(req, r.cors)).length) throw fail(403, 'forbidden', 'Origin not allowed');
      return { status: 204, body: {}, headers: preflightHeaders() };
    }
    throw new HttpError(405, outcome('error', 'not-supported', `${req.method} not allowed on ${path}; use POST`), { allow: 'POST, OPTIONS' });
  }
  if (isInboundPath(path)) {
    if (!r.inbound) throw fail(404, 'not-found', 'FHIR -> CHT is not enabled on this receiver (set CHT_URL)');
    const open = req.method === 'GET' && path === '/fhir/metadata';
    if (!open) authenticate(r, req);
    const hasBody = req.method === 'POST' || req.method === 'PUT';
    if (hasBody) checkContentType(req);
    const body = hasBody ? parseJson(await readBody(req, r.bodyLimit)) : undefined;
    return routeInbound(req, path, body, r.inbound, scope);
  }
  throw fail(404, 'not-found', `No endpoint at ${path.slice(0, 200)}`);
}

/** CHT -> FHIR: a pushed Bundle stored exactly once, under the locks of its resources. */
async function push(r: Routes, req: http.IncomingMessage, scope: Scope): Promise<Answer> {
  authenticate(r, req);
  checkContentType(req);
  const pushed = readPush(parseJson(await readBody(req, r.bodyLimit)));
  const keys = pushed.map((p) => `${p.type}/${p.id}`);
  const d = await r.locks.run(keys, () => deliver(r.client, pushed, scope, r.late.forPush(scope.deadline)));
  const text = `Delivered ${pushed.length} resources: ${d.written} written, ${d.unchanged} already up to date, ${d.superseded} superseded by a newer version`;
  return {
    status: 200,
    body: outcome('information', 'informational', text),
    fields: { entries: pushed.length, written: d.written, unchanged: d.unchanged, superseded: d.superseded },
  };
}

function authenticate(r: Routes, req: http.IncomingMessage): void {
  if (basicAuthMatches(req.headers, r.auth)) return;
  throw new HttpError(401, outcome('error', 'login', 'Missing or wrong credentials'), { 'www-authenticate': 'Basic realm="cht-fhir", charset="UTF-8"' });
}
