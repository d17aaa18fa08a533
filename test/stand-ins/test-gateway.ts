import http from 'node:http';
import { listen } from '../../src/net/listen';
import { readAll } from './raw-http';

/**
 * A loopback HTTP gateway the browser tests talk to. It forwards the push
 * route to the receiver unchanged (so the receiver's own auth and CORS are
 * what the browser sees), except for faults the test scripts in advance, and
 * it exposes the FHIR server read-only-ish with permissive CORS so tests can
 * count what was stored.
 *
 * Faults, consumed one per push request: `pass`; `503` (answered here, never
 * forwarded); `drop-before` (socket destroyed, never forwarded); `drop-after`
 * (forwarded, the receiver's answer thrown away and the socket destroyed).
 */
export type Fault = 'pass' | '503' | 'drop-before' | 'drop-after';

export interface Gateway {
  url: string;
  close(): Promise<void>;
}

export async function startGateway(opts: { receiverUrl: string; fhirUrl: string; pushPath: string }): Promise<Gateway> {
  let plan: Fault[] = [];
  const seen: Record<string, number> = {};
  const receiver = new URL(opts.receiverUrl);
  const fhir = new URL(opts.fhirUrl);
  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const origin = req.headers.origin ?? '*';
    const cors = { 'access-control-allow-origin': origin, 'access-control-allow-headers': 'content-type, authorization', 'access-control-allow-methods': 'GET, PUT, POST' };
    const body = await readAll(req);
    if (url.pathname === '/__faults') {
      if (req.method === 'PUT') {
        plan = (JSON.parse(body.toString() || '{}').plan ?? []) as Fault[];
        for (const k of Object.keys(seen)) delete seen[k];
      }
      res.writeHead(200, { 'content-type': 'application/json', ...cors });
      return void res.end(JSON.stringify({ plan, seen }));
    }
    if (url.pathname.startsWith(fhir.pathname)) {
      if (req.method === 'OPTIONS') return void res.writeHead(204, cors).end();
      const answer = await forward(fhir, url.pathname + url.search, req, body);
      res.writeHead(answer.status, { 'content-type': 'application/fhir+json', ...cors });
      return void res.end(answer.body);
    }
    const isPush = url.pathname === opts.pushPath && req.method === 'POST';
    // No keep-alive on pushes: Chromium silently resends a request whose reused socket was dropped, hiding the fault.
    if (isPush) res.shouldKeepAlive = false;
    const fault: Fault = isPush ? (plan.shift() ?? 'pass') : 'pass';
    if (isPush) seen[fault] = (seen[fault] ?? 0) + 1;
    if (fault === '503') return void res.writeHead(503, { 'content-type': 'application/fhir+json', connection: 'close', ...cors }).end('{"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"transient","diagnostics":"scripted 503"}]}');
    if (fault === 'drop-before') return void req.socket.destroy();
    const answer = await forward(receiver, url.pathname + url.search, req, body);
    if (fault === 'drop-after') return void req.socket.destroy();
    const headers = { ...answer.headers, 'content-length': String(answer.body.length) };
    delete headers['transfer-encoding'];
    delete headers.connection;
    if (isPush) headers.connection = 'close';
    res.writeHead(answer.status, headers);
    res.end(answer.body);
  });
  server.keepAliveTimeout = 30_000;
  const port = await listen(server, 0, '127.0.0.1');
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}


const agent = new http.Agent({ keepAlive: true });

function forward(base: URL, path: string, req: http.IncomingMessage, body: Buffer): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  const headers = { ...req.headers, host: base.host };
  delete headers['content-length'];
  return new Promise((resolve) => {
    const out = http.request({ host: base.hostname, port: base.port, path, method: req.method, headers: { ...headers, 'content-length': body.length }, agent }, (res) => {
      readAll(res).then((b) => resolve({ status: res.statusCode ?? 502, headers: res.headers, body: b }));
    });
    out.on('error', (e) => resolve({ status: 502, headers: {}, body: Buffer.from(String(e.message)) }));
    out.end(body);
  });
}
