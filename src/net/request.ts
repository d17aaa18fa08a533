import http from 'node:http';
import https from 'node:https';

/**
 * The one way this project calls another server (FHIR server, CHT, OpenHIM):
 * Node's http/https with a body as text. Deadlines belong to the caller, who
 * aborts; `within` is the common case.
 */
export interface Reply {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface Sent {
  /** Resolves with any HTTP answer; rejects when there is none (network, abort). */
  reply: Promise<Reply>;
  abort(reason: Error): void;
}

export interface RequestOptions {
  method: string;
  headers?: Record<string, string | number>;
  body?: string;
  agent?: http.Agent;
  /** https only: accept a self-signed certificate (test servers, a private CA not installed). */
  trustSelfSigned?: boolean;
}

export class TimeoutError extends Error {
  override name = 'TimeoutError';
}

export function send(url: URL, o: RequestOptions): Sent {
  const lib = url.protocol === 'https:' ? https : http;
  const headers = { ...o.headers, ...(o.body !== undefined ? { 'content-length': Buffer.byteLength(o.body) } : {}) };
  let req: http.ClientRequest | undefined;
  const reply = new Promise<Reply>((resolve, reject) => {
    req = lib.request(
      url,
      { method: o.method, headers, agent: o.agent, ...(url.protocol === 'https:' && o.trustSelfSigned ? { rejectUnauthorized: false } : {}) },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: flatHeaders(res.headers), body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(o.body);
  });
  return { reply, abort: (reason) => req?.destroy(reason) };
}

/** The reply, or a TimeoutError (and the request cut) after `ms`. */
export async function within(sent: Sent, ms: number): Promise<Reply> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_ok, reject) => {
    timer = setTimeout(() => {
      const e = new TimeoutError(`no answer within ${ms} ms`);
      sent.abort(e);
      reject(e);
    }, ms);
  });
  try {
    return await Promise.race([sent.reply, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function flatHeaders(h: http.IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) if (v !== undefined) out[k] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}
