import http from 'node:http';
import type { Socket } from 'node:net';
import { listen } from '../../src/net/listen';
import { mulberry32 } from './push-bundles';

export type Fault = 'drop' | 'delay' | 'reset' | 'error500';

export interface FaultProxyOptions {
  /** The FHIR base URL to forward to (same path is kept). */
  target: string;
  /** Share of calls that get a fault (0 = a plain counting pass-through). */
  faultRate: number;
  /** How long a 'delay' holds the call before forwarding it (set it past the receiver's deadline). */
  delayMs?: number;
  seed?: number;
}

/** A call the proxy saw, kept so a test can send it again. */
export interface SeenCall {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

export interface FaultProxy {
  url: string;
  stats: { calls: number; faults: Record<Fault, number>; lateWritesCommitted: number };
  /**
   * Scripts the next calls whose body `match`es (every call when omitted):
   * `pass` forwards as usual, `hold` parks the call (its caller waits or gives
   * up) until `release`. Unscripted calls follow `faultRate`.
   */
  script(actions: ('pass' | 'hold')[], match?: (body: string) => boolean): void;
  /** Forwards the held calls now, in the order they came (reordering them after what passed meanwhile); resolves with the statuses they got. */
  release(): Promise<number[]>;
  /** Every call seen, in order. */
  seen: SeenCall[];
  /** Sends a seen call again, as a retrying middlebox (OpenHIM auto-retry) would; resolves with the status. */
  replay(call: SeenCall): Promise<number>;
  close(): Promise<void>;
}

/**
 * A proxy in front of the FHIR server that fails a share of the calls the
 * ways a network and a server fail:
 * - drop: the connection is cut before the call reaches the server;
 * - delay: the call is held past the caller's timeout, then still forwarded
 *   (it lands late, after the caller gave up);
 * - reset: the call reaches the server and commits, but the connection is cut
 *   before the answer gets back;
 * - error500: the proxy answers 500 without forwarding.
 */
export async function startFaultProxy(opts: FaultProxyOptions): Promise<FaultProxy> {
  const target = new URL(opts.target);
  const rand = mulberry32(opts.seed ?? 42);
  const kinds: Fault[] = ['drop', 'delay', 'reset', 'error500'];
  const stats: FaultProxy['stats'] = { calls: 0, faults: { drop: 0, delay: 0, reset: 0, error500: 0 }, lateWritesCommitted: 0 };
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const sockets = new Set<Socket>();
  const pending = new Set<Promise<unknown>>();
  let plan: { actions: ('pass' | 'hold')[]; match?: (body: string) => boolean } = { actions: [] };
  const held: (() => Promise<number>)[] = [];
  const seen: SeenCall[] = [];

  const forward = (
    req: Pick<http.IncomingMessage, 'url' | 'method' | 'headers'>,
    body: Buffer,
  ): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> =>
    new Promise((resolve, reject) => {
      const up = http.request(
        { host: target.hostname, port: target.port, path: req.url, method: req.method, headers: { ...req.headers, host: target.host }, agent },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
          res.on('error', reject);
        },
      );
      up.on('error', reject);
      up.end(body);
    });

  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    stats.calls++;
    seen.push({ method: req.method ?? 'GET', path: req.url ?? '/', headers: req.headers, body });
    const scripted = plan.actions.length && (!plan.match || plan.match(body.toString('utf8'))) ? plan.actions.shift() : undefined;
    if (scripted === 'hold') {
      const late = new Promise<number>((ok) =>
        held.push(async () => {
          const answer = await forward(req, body).catch(() => undefined);
          if (answer && !res.destroyed) res.writeHead(answer.status, answer.headers).end(answer.body);
          else if (!res.destroyed) req.socket.destroy();
          ok(answer?.status ?? 0);
          return answer?.status ?? 0;
        }),
      );
      pending.add(late);
      return void (await late.finally(() => pending.delete(late)));
    }
    if (scripted === 'pass') {
      const answer = await forward(req, body).catch(() => undefined);
      if (!answer) return void req.socket.destroy();
      return void res.writeHead(answer.status, answer.headers).end(answer.body);
    }
    const fault = rand() < opts.faultRate ? kinds[Math.floor(rand() * kinds.length)] : undefined;
    if (fault) stats.faults[fault]++;
    try {
      if (fault === 'drop') return void req.socket.destroy();
      if (fault === 'error500') {
        res.writeHead(500, { 'content-type': 'application/fhir+json' });
        return void res.end(
          JSON.stringify({ resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'exception', details: { text: 'injected 500' } }] }),
        );
      }
      if (fault === 'delay') {
        const late = new Promise((ok) => setTimeout(ok, opts.delayMs ?? 1000)).then(async () => {
          const answer = await forward(req, body);
          if (answer.status < 300 && body.includes('"transaction"')) stats.lateWritesCommitted++;
          if (!res.destroyed) {
            res.writeHead(answer.status, answer.headers);
            res.end(answer.body);
          }
        });
        pending.add(late);
        return void (await late.finally(() => pending.delete(late)));
      }
      const answer = await forward(req, body);
      if (fault === 'reset') return void req.socket.destroy();
      res.writeHead(answer.status, answer.headers);
      res.end(answer.body);
    } catch {
      req.socket.destroy();
    }
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  const port = await listen(server, 0, '127.0.0.1');
  return {
    url: `http://127.0.0.1:${port}${target.pathname}`,
    stats,
    seen,
    script: (actions, match) => void (plan = { actions: [...actions], match }),
    release: async () => {
      const statuses: number[] = [];
      for (const send of held.splice(0)) statuses.push(await send());
      return statuses;
    },
    replay: async (call) => (await forward({ url: call.path, method: call.method, headers: call.headers }, call.body)).status,
    close: async () => {
      await Promise.all(held.splice(0).map((send) => send()));
      await Promise.allSettled([...pending]); // let late writes land before the test looks
      for (const s of sockets) s.destroy();
      await new Promise((ok) => server.close(ok));
      agent.destroy();
    },
  };
}
