import { FhirRouter, MemoryRepository, type FhirRequest, type HttpMethod } from '@medplum/fhir-router';
import { normalizeOperationOutcome, getStatus } from '@medplum/core';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

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

export const FHIR_BASE_PATH = '/fhir/R4';
const MAX_BODY = 20 * 1024 * 1024;
const METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']);

export async function startFhirServer(opts: { port?: number; host?: string } = {}): Promise<FhirServer> {
  const repo = new MemoryRepository();
  const router = new FhirRouter();
  const server = http.createServer((req, res) => {
    handle(req, router, repo).then(
      ({ status, body, headers }) => send(res, status, body, headers),
      (e: Error) => send(res, 500, outcome('exception', e.message)),
    );
  });
  server.keepAliveTimeout = 30_000;
  const host = opts.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
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

async function handle(req: http.IncomingMessage, router: FhirRouter, repo: MemoryRepository): Promise<Answer> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (!url.pathname.startsWith(FHIR_BASE_PATH)) return { status: 404, body: outcome('not-found', `No FHIR endpoint at ${url.pathname}`) };
  const method = req.method ?? 'GET';
  if (!METHODS.has(method)) return { status: 405, body: outcome('not-supported', `Method ${method} not supported`) };
  const raw = await readBody(req);
  let body: unknown;
  if (raw.length) {
    try {
      body = JSON.parse(raw.toString('utf8'));
    } catch {
      return { status: 400, body: outcome('invalid', 'Body is not JSON') };
    }
  }
  const query: Record<string, string | string[]> = {};
  for (const [k, v] of url.searchParams) query[k] = k in query ? ([] as string[]).concat(query[k], v) : v;
  const fhirReq: FhirRequest = {
    method: method as HttpMethod,
    url: url.pathname.slice(FHIR_BASE_PATH.length).replace(/^\/+/, '') + url.search,
    pathname: '',
    body,
    params: {},
    query,
    headers: req.headers,
    // Without this the router runs a transaction Bundle as a batch (no all-or-nothing).
    config: { transactions: true },
  };
  const [result, resource] = await router.handleRequest(fhirReq, repo);
  const status = getStatus(result);
  const headers: Record<string, string> = {};
  const versionId = resource && 'meta' in resource ? resource.meta?.versionId : undefined;
  if (versionId) headers.etag = `W/"${versionId}"`;
  return { status, body: resource ?? normalizeOperationOutcome(result), headers };
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

function send(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent || res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/fhir+json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

function outcome(code: string, text: string) {
  return { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code, details: { text } }] };
}
