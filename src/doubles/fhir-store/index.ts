import { FhirRouter, MemoryRepository, type FhirRequest, type HttpMethod } from '@medplum/fhir-router';
import { normalizeOperationOutcome, getStatus } from '@medplum/core';
import http from 'node:http';
import { listen } from '../../net/listen';
import { outcome } from '../../core/outcome';
import type { OperationOutcomeIssue } from 'fhir/r4';

/**
 * The embedded FHIR server: @medplum/fhir-router's MemoryRepository and
 * FhirRouter behind node:http, at `<url>` = http://host:port/fhir/R4. Used by
 * the receiver when FHIR_BASE_URL is unset, and by the tests as "the FHIR
 * server". It keeps everything in memory and does not validate on write.
 */
export interface FhirServer {
  url: string;
  repo: MemoryRepository;
  close(): Promise<void>;
}

/** One FHIR HTTP exchange as text in, text out: `path` is relative to the base (e.g. "" or "Patient/1?x=y"). */
type FhirExchange = (method: string, path: string, body: string, headers?: http.IncomingHttpHeaders) => Promise<FhirAnswer>;

interface FhirAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export const FHIR_BASE_PATH = '/fhir/R4';
const MAX_BODY = 20 * 1024 * 1024;
const METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']);

export async function startFhirServer(opts: { port?: number; host?: string } = {}): Promise<FhirServer> {
  const repo = new MemoryRepository();
  const router = new FhirRouter();
  // Writes run one at a time, so a precondition checked here holds until the write commits.
  let writes: Promise<unknown> = Promise.resolve();
  const serial = <T>(method: string, fn: () => Promise<T>): Promise<T> => {
    if (method === 'GET') return fn();
    const run = writes.then(fn, fn);
    writes = run.catch(() => undefined);
    return run;
  };
  const exchange: FhirExchange = (method, path, body, headers = {}) =>
    serial(method, () => handle(router, repo, method, path, body, headers)).then(
      (a) => ({ status: a.status, headers: { 'content-type': 'application/fhir+json; charset=utf-8', ...a.headers }, body: JSON.stringify(a.body) }),
      (e: Error) => ({
        status: 500,
        headers: { 'content-type': 'application/fhir+json; charset=utf-8' },
        body: JSON.stringify(errorOutcome('exception', e.message)),
      }),
    );
  const server = http.createServer((req, res) => {
    const path = req.url ?? '/';
    if (!path.startsWith(FHIR_BASE_PATH))
      return send(res, { status: 404, headers: {}, body: JSON.stringify(errorOutcome('not-found', `No FHIR endpoint at ${path.split('?')[0]}`)) });
    readBody(req).then(
      (raw) => exchange(req.method ?? 'GET', path.slice(FHIR_BASE_PATH.length), raw.toString('utf8'), req.headers).then((a) => send(res, a)),
      (e: Error) => send(res, { status: 413, headers: {}, body: JSON.stringify(errorOutcome('too-costly', e.message)) }),
    );
  });
  server.keepAliveTimeout = 30_000;
  const host = opts.host ?? '127.0.0.1';
  const port = await listen(server, opts.port ?? 0, host);
  return {
    url: `http://${host}:${port}${FHIR_BASE_PATH}`,
    repo,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  };
}

interface Answer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

async function handle(
  router: FhirRouter,
  repo: MemoryRepository,
  method: string,
  path: string,
  raw: string,
  headers: http.IncomingHttpHeaders,
): Promise<Answer> {
  const url = new URL(path.replace(/^\/*/, '/'), 'http://localhost');
  if (!METHODS.has(method)) return { status: 405, body: errorOutcome('not-supported', `Method ${method} not supported`) };
  let body: unknown;
  if (raw.length) {
    try {
      body = JSON.parse(raw);
    } catch {
      return { status: 400, body: errorOutcome('invalid', 'Body is not JSON') };
    }
  }
  const query: Record<string, string | string[]> = {};
  for (const [k, v] of url.searchParams) query[k] = k in query ? ([] as string[]).concat(query[k] ?? [], v) : v;
  const fhirReq: FhirRequest = {
    method: method as HttpMethod,
    url: url.pathname.replace(/^\/+/, '') + url.search,
    pathname: '',
    body,
    params: {},
    query,
    headers,
    // Without this the router runs a transaction Bundle as a batch (no all-or-nothing).
    config: { transactions: true },
  };
  const exists = await existingCreateTarget(repo, body);
  if (exists) return { status: 412, body: errorOutcome('conflict', `${exists.key} already exists (If-None-Match: *)`, [exists.at]) };
  const [result, resource] = await router.handleRequest(fhirReq, repo);
  const status = getStatus(result);
  const out: Record<string, string> = {};
  const versionId = resource && 'meta' in resource ? resource.meta?.versionId : undefined;
  if (versionId) out.etag = `W/"${versionId}"`;
  return { status, body: resource ?? normalizeOperationOutcome(result), headers: out };
}

/**
 * `If-None-Match: *` on a transaction entry (PUT as create-only), which the
 * router ignores: the first such entry whose resource already exists fails
 * the whole transaction with 412, as HTTP defines the header.
 */
async function existingCreateTarget(repo: MemoryRepository, body: unknown): Promise<{ key: string; at: string } | undefined> {
  const b = body as { resourceType?: string; type?: string; entry?: { request?: { method?: string; url?: string; ifNoneMatch?: string } }[] } | undefined;
  if (b?.resourceType !== 'Bundle' || b.type !== 'transaction' || !Array.isArray(b.entry)) return undefined;
  for (const [i, e] of b.entry.entries()) {
    if (e?.request?.ifNoneMatch !== '*' || e.request.method !== 'PUT') continue;
    const [type, id] = (e.request.url ?? '').split('/');
    if (!type || !id) continue;
    const found = await repo.readResource(type, id).then(
      () => true,
      () => false,
    );
    if (found) return { key: `${type}/${id}`, at: `Bundle.entry[${i}]` };
  }
  return undefined;
}

function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new Error('Body too large'));
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function send(res: http.ServerResponse, a: FhirAnswer): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(a.status, { 'content-type': 'application/fhir+json; charset=utf-8', ...a.headers, 'content-length': Buffer.byteLength(a.body) });
  res.end(a.body);
}

const errorOutcome = (code: OperationOutcomeIssue['code'], text: string, expression?: string[]) => outcome('error', code, text, expression);
