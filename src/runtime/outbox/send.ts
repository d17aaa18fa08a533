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

/** A short human reason from an OperationOutcome or text body. */
export function reasonOf(status: number, body: unknown): string {
  const issues = (body as { resourceType?: string; issue?: { diagnostics?: string; details?: { text?: string } }[] })?.issue;
  const text = Array.isArray(issues)
    ? issues
        .map((i) => i.diagnostics ?? i.details?.text)
        .filter(Boolean)
        .join('; ')
    : typeof body === 'string'
      ? body.slice(0, 200)
      : '';
  return `receiver answered ${status}${text ? `: ${text}` : ''}`;
}

/**
 * The entries a 4xx OperationOutcome refuses, by index, with the reasons
 * given for each (`receiver answered 400: ...`): every issue must name an
 * entry in `expression` (`Bundle.entry[i]...`); an issue about the Bundle
 * as a whole (or an index outside the batch) gives none, and the batch is
 * refused as a whole.
 */
export function refusedEntries(body: unknown, sent: number): Map<number, string> {
  const issues =
    (body as { resourceType?: string; issue?: unknown } | undefined)?.resourceType === 'OperationOutcome' ? (body as { issue?: unknown }).issue : undefined;
  const out = new Map<number, string[]>();
  if (!Array.isArray(issues) || !issues.length) return new Map();
  for (const issue of issues as { severity?: string; expression?: unknown; diagnostics?: string; details?: { text?: string } }[]) {
    if (issue?.severity !== 'error' && issue?.severity !== 'fatal') continue;
    const at = Array.isArray(issue.expression)
      ? issue.expression.map((e) => /^Bundle\.entry\[(\d+)\]/.exec(String(e))?.[1]).filter((x) => x !== undefined)
      : [];
    if (!at.length) return new Map();
    for (const i of at.map(Number)) {
      if (i >= sent) return new Map();
      const text = issue.diagnostics ?? issue.details?.text;
      out.set(i, [...(out.get(i) ?? []), ...(text ? [text] : [])]);
    }
  }
  return new Map([...out].map(([i, texts]) => [i, `receiver answered 400: ${texts.join('; ')}`]));
}
