import http from 'node:http';
import { listen } from '../../src/net/listen';

export interface RoundRobin {
  url: string;
  /** Requests sent to each upstream, in order. */
  counts: number[];
  close(): Promise<void>;
}

/**
 * A load balancer in miniature (what an OpenHIM channel with several routes,
 * or nginx upstreams, does): each request goes to the next upstream in turn,
 * method, path, headers and body as received, and the answer comes back as is.
 * An upstream that cannot be reached is answered 502.
 */
export async function startRoundRobin(upstreams: string[]): Promise<RoundRobin> {
  const counts = upstreams.map(() => 0);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  let next = 0;
  const server = http.createServer((req, res) => {
    const i = next++ % upstreams.length;
    counts[i]++;
    const target = new URL(req.url ?? '/', upstreams[i]);
    const up = http.request(target, { method: req.method, headers: { ...req.headers, host: target.host }, agent }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    up.on('error', () => {
      if (res.headersSent) return void res.destroy();
      res.writeHead(502, { 'content-type': 'text/plain' });
      res.end('upstream unreachable');
    });
    req.pipe(up);
  });
  const port = await listen(server, 0, '127.0.0.1');
  return {
    url: `http://127.0.0.1:${port}`,
    counts,
    close: async () => {
      await new Promise((ok) => {
        server.close(ok);
        server.closeIdleConnections();
      });
      agent.destroy();
    },
  };
}
