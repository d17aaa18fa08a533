import http from 'node:http';
import https from 'node:https';
import type { Credentials } from './auth';
import { basicAuthHeader } from './auth';
import type { FhirAnswer, FhirExchange } from '../fhir-server';

/** One call to the FHIR server, as recorded for logs and OpenHIM orchestrations. */
export interface FhirCall {
  name: string;
  method: string;
  url: string;
  requestBody: string;
  startedAt: Date;
  endedAt: Date;
  status?: number;
  responseHeaders?: Record<string, string>;
  responseBody?: string;
  /** Set when no HTTP answer came back (timeout, refused, reset). */
  error?: string;
}

export class FhirUnavailable extends Error {
  constructor(
    readonly kind: 'timeout' | 'network',
    message: string,
  ) {
    super(message);
  }
}

export interface FhirClientOptions {
  baseUrl: string;
  auth?: Credentials;
  trustSelfSigned?: boolean;
  /** The embedded store, called in process instead of over a socket (`baseUrl` is still its address, for records). */
  exchange?: FhirExchange;
}

/**
 * A minimal keep-alive JSON client for the FHIR server. Every call has a hard
 * deadline (absolute ms), so the receiver always answers CHT in time.
 */
export class FhirClient {
  private readonly base: URL;
  private readonly agent: http.Agent;

  constructor(private readonly opts: FhirClientOptions) {
    this.base = new URL(opts.baseUrl.replace(/\/+$/, '') + '/');
    const agentOpts = { keepAlive: true, maxSockets: 64, maxFreeSockets: 16 };
    this.agent = this.base.protocol === 'https:' ? new https.Agent({ ...agentOpts, rejectUnauthorized: !opts.trustSelfSigned }) : new http.Agent(agentOpts);
  }

  get baseUrl(): string {
    return this.base.href.replace(/\/$/, '');
  }

  /** POSTs a Bundle to the base (batch or transaction). Resolves with the call record whatever the status; rejects with FhirUnavailable. */
  async postBundle(name: string, bundle: unknown, deadline: number, calls: FhirCall[]): Promise<FhirCall> {
    const body = JSON.stringify(bundle);
    const call: FhirCall = { name, method: 'POST', url: this.baseUrl, requestBody: body, startedAt: new Date(), endedAt: new Date() };
    calls.push(call);
    const remaining = deadline - Date.now();
    const cutoff: Cutoff = { passed: false };
    const timer = remaining > 0 ? setTimeout(() => ((cutoff.passed = true), cutoff.giveUp?.()), remaining) : undefined;
    try {
      if (remaining <= 0) throw new FhirUnavailable('timeout', 'No time left to call the FHIR server');
      const answer = await (this.opts.exchange ? inProcess(this.opts.exchange, body, cutoff) : this.overHttp(body, cutoff));
      call.status = answer.status;
      call.responseHeaders = answer.headers;
      call.responseBody = answer.body;
      return call;
    } catch (e) {
      const err =
        e instanceof FhirUnavailable ? e
        : cutoff.passed ? new FhirUnavailable('timeout', `FHIR server did not answer within ${remaining} ms`)
        : new FhirUnavailable('network', `FHIR server unreachable: ${(e as Error).message}`);
      call.error = err.message;
      throw err;
    } finally {
      clearTimeout(timer);
      call.endedAt = new Date();
    }
  }

  private overHttp(body: string, cutoff: Cutoff): Promise<FhirAnswer> {
    const headers: Record<string, string | number> = {
      'content-type': 'application/fhir+json',
      accept: 'application/fhir+json',
      'content-length': Buffer.byteLength(body),
    };
    if (this.opts.auth) headers.authorization = basicAuthHeader(this.opts.auth);
    const lib = this.base.protocol === 'https:' ? https : http;
    return new Promise((resolve, reject) => {
      const req = lib.request(this.base, { method: 'POST', headers, agent: this.agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: flatHeaders(res.headers), body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      });
      req.on('error', reject);
      cutoff.giveUp = () => req.destroy(new Error('deadline passed'));
      req.end(body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

/** The deadline of one call; the transport sets how to give up when it passes (AbortController cost ~10% of a push here). */
interface Cutoff {
  passed: boolean;
  giveUp?: () => void;
}

/** The embedded store, called in process: same answer, same deadline, no socket. */
function inProcess(exchange: FhirExchange, body: string, cutoff: Cutoff): Promise<FhirAnswer> {
  return new Promise((resolve, reject) => {
    cutoff.giveUp = () => reject(new Error('deadline passed'));
    exchange('POST', '', body).then(resolve, (e: Error) => reject(new Error(`FHIR store failed: ${e.message}`)));
  });
}

function flatHeaders(h: http.IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) if (v !== undefined) out[k] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}
