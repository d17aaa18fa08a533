import type { Resource } from 'fhir/r4';
import { transactionOf } from '../../core/bundle';

export type HeadersOption = Record<string, string> | (() => Record<string, string> | Promise<Record<string, string>>);

export interface SendOptions {
  endpoint: string;
  headers?: HeadersOption;
  fetch: typeof fetch;
  timeoutMs: number;
  /** Aborts the request when the outbox closes. */
  signal: AbortSignal;
}

export interface Answer {
  status: number;
  body: unknown;
}

/** POSTs one transaction Bundle. Resolves with any HTTP answer; rejects only when no answer came (network, timeout, abort). */
export async function postTransaction(resources: readonly Resource[], opts: SendOptions): Promise<Answer> {
  const extra = typeof opts.headers === 'function' ? await opts.headers() : opts.headers;
  const timeout = new AbortController();
  const onAbort = () => timeout.abort(opts.signal.reason);
  opts.signal.addEventListener('abort', onAbort);
  const timer = setTimeout(() => timeout.abort(new Error(`no answer within ${opts.timeoutMs} ms`)), opts.timeoutMs);
  try {
    const res = await opts.fetch(opts.endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/fhir+json', accept: 'application/fhir+json', ...extra },
      body: JSON.stringify(transactionOf(resources)),
      signal: timeout.signal,
      credentials: 'omit',
    });
    const text = await res.text();
    return { status: res.status, body: parseJson(text) };
  } finally {
    clearTimeout(timer);
    opts.signal.removeEventListener('abort', onAbort);
  }
}

function parseJson(text: string): unknown {
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    return text;
  }
}
