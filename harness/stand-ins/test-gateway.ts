import http from 'node:http';
import { listen } from '../../src/net/listen';
import { readAll } from './raw-http';
import { mulberry32 } from './push-bundles';

/**
 * A loopback HTTP gateway the browser tests talk to. It forwards the push
 * route to the receiver unchanged (so the receiver's own auth and CORS are
 * what the browser sees), except for faults the test scripts in advance, and
 * it exposes the FHIR server read-only-ish with permissive CORS so tests can
 * count what was stored.
 *
 * Faults, consumed one per push request: `pass`; `503` (answered here, never
 * forwarded); `drop-before` (socket destroyed, never forwarded); `drop-after`
 * (forwarded, the receiver's answer thrown away and the socket destroyed);
 * `hold` (parked: forwarded when the test PUTs `{release: true}`, after its
 * sender may have given up, so it lands late and out of order). Once the
 * plan is used up, `random: {rate, count, seed}` faults that share of the
 * next `count` pushes (503, drop-before or drop-after, seeded).
 */
export type Fault = 'pass' | '503' | 'drop-before' | 'drop-after' | 'hold';
const RANDOM: Fault[] = ['503', 'drop-before', 'drop-after'];

export interface Gateway {
  url: string;
  close(): Promise<void>;
}

export async function startGateway(opts: { receiverUrl: string; fhirUrl: string; pushPath: string }): Promise<Gateway> {
  let plan: Fault[] = [];
  let random: { rate: number; count: number; rand: () => number } | undefined;
  const held: (() => Promise<number>)[] = [];
  const seen: Record<string, number> = {};
  const receiver = new URL(opts.receiverUrl);
  const fhir = new URL(opts.fhirUrl);
  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const origin = req.headers.origin ?? '*';
    const cors = {
      'access-control-allow-origin': origin,
      'access-control-allow-headers': 'content-type, authorization',
      'access-control-allow-methods': 'GET, PUT, POST',
    };
    const body = await readAll(req);
    if (url.pathname === '/__faults') {
      let released: number[] = [];
      if (req.method === 'PUT') {
        const asked = JSON.parse(body.toString() || '{}') as { plan?: Fault[]; random?: { rate: number; count: number; seed?: number }; release?: boolean };
        if (asked.release) for (const send of held.splice(0)) released.push(await send());
        else {
          plan = asked.plan ?? [];
          random = asked.random ? { rate: asked.random.rate, count: asked.random.count, rand: mulberry32(asked.random.seed ?? 1) } : undefined;
          released = await Promise.all(held.splice(0).map((send) => send()));
          for (const k of Object.keys(seen)) delete seen[k];
        }
      }
      res.writeHead(200, { 'content-type': 'application/json', ...cors });
      return void res.end(JSON.stringify({ plan, seen, released }));
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
    const fault: Fault = isPush ? (plan.shift() ?? randomFault()) : 'pass';
    if (isPush) seen[fault] = (seen[fault] ?? 0) + 1;
    if (fault === 'hold') {
      const late = new Promise<number>((ok) =>
        held.push(async () => {
          const answer = await forward(receiver, url.pathname + url.search, req, body);
          req.socket.destroy(); // its sender gave up long ago
          ok(answer.status);
          return answer.status;
        }),
      );
      return void (await late);
    }
    if (fault === '503')
      return void res
        .writeHead(503, { 'content-type': 'application/fhir+json', connection: 'close', ...cors })
        .end('{"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"transient","diagnostics":"scripted 503"}]}');
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
  function randomFault(): Fault {
    if (!random || random.count <= 0) return 'pass';
    random.count--;
    return random.rand() < random.rate ? RANDOM[Math.floor(random.rand() * RANDOM.length)] : 'pass';
  }
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

function forward(
  base: URL,
  path: string,
  req: http.IncomingMessage,
  body: Buffer,
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  const headers = { ...req.headers, host: base.host };
  delete headers['content-length'];
  return new Promise((resolve) => {
    const out = http.request(
      { host: base.hostname, port: base.port, path, method: req.method, headers: { ...headers, 'content-length': body.length }, agent },
      (res) => {
        void readAll(res).then((b) => resolve({ status: res.statusCode ?? 502, headers: res.headers, body: b }));
      },
    );
    out.on('error', (e) => resolve({ status: 502, headers: {}, body: Buffer.from(String(e.message)) }));
    out.end(body);
  });
}
