import http from 'node:http';

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  json(): any;
}

export interface RawRequest {
  method?: string;
  headers?: Record<string, string | number>;
  /** A string/Buffer body, or a generator of chunks streamed without content-length. */
  body?: string | Buffer | (() => Iterable<Buffer>);
  timeoutMs?: number;
  agent?: http.Agent;
}

/**
 * A plain HTTP request that reports the answer even when the server stops
 * reading the body early (a 413), and fails instead of hanging.
 */
export function rawRequest(url: string, req: RawRequest = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    let answered = false;
    const headers = { ...req.headers };
    if (typeof req.body === 'string' || Buffer.isBuffer(req.body)) headers['content-length'] ??= Buffer.byteLength(req.body);
    const r = http.request(url, { method: req.method ?? 'GET', headers, agent: req.agent ?? false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        answered = true;
        clearTimeout(timer);
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: () => JSON.parse(text) });
      });
      res.on('error', (e) => !answered && reject(e));
    });
    const timer = setTimeout(() => {
      r.destroy();
      reject(new Error(`no answer from ${req.method ?? 'GET'} ${url} within ${req.timeoutMs ?? 10000} ms`));
    }, req.timeoutMs ?? 10000);
    // Writing after the server answered and closed is expected for oversized bodies.
    r.on('error', (e) => setTimeout(() => !answered && (clearTimeout(timer), reject(e)), 200));
    const body = req.body;
    if (typeof body === 'function') {
      const write = async () => {
        for (const chunk of body()) {
          if (r.destroyed || answered) return;
          if (!r.write(chunk)) await new Promise((ok) => r.once('drain', ok));
        }
        r.end();
      };
      write().catch(() => undefined);
    } else r.end(body);
  });
}

/** Everything a stream carries, once it ends. */
export function readAll(s: NodeJS.ReadableStream): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    s.on('data', (c: Buffer) => chunks.push(c));
    s.on('end', () => resolve(Buffer.concat(chunks)));
    s.on('error', reject);
  });
}

export const basic = (user: string, password: string) => 'Basic ' + Buffer.from(`${user}:${password}`).toString('base64');
