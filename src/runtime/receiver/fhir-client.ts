import http from 'node:http';
import https from 'node:https';
import type { Credentials } from './auth';
import { basicAuthHeader } from './auth';
import { send, type Reply, type Sent } from '../../net/request';
import { Unavailable } from './failure';

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

/**
 * What one request carries into every call it makes: the absolute time (ms)
 * by which it must be answered, and the FHIR calls made so far (for logs
 * and OpenHIM orchestrations).
 */
export interface Scope {
  readonly deadline: number;
  readonly calls: FhirCall[];
}

/** The FHIR server gave no answer: 504 on a timeout, 502 otherwise (failure.ts). */
export class FhirUnavailable extends Unavailable {
  constructor(
    kind: 'timeout' | 'network',
    message: string,
    /** A timeout whose call was kept open (`keepUntil`): its answer if it still comes in time, else undefined. */
    readonly late?: Promise<FhirCall | undefined>,
  ) {
    super(kind, message);
  }
}

/** A call's answer as JSON; undefined when there is none or it is not JSON (a proxy's page). */
export function responseJson(call: FhirCall): unknown {
  try {
    return call.responseBody ? (JSON.parse(call.responseBody) as unknown) : undefined;
  } catch {
    return undefined;
  }
}

/** Calls kept open past their deadline at once, at most: each holds a socket. */
const MAX_LATE = 32;

export interface FhirClientOptions {
  baseUrl: string;
  auth?: Credentials;
  trustSelfSigned?: boolean;
}

/**
 * A minimal keep-alive JSON client for the FHIR server. Every call has a hard
 * deadline (absolute ms), so the receiver always answers CHT in time.
 */
export class FhirClient {
  private readonly base: URL;
  private readonly agent: http.Agent;
  private lateCalls = 0;

  constructor(private readonly opts: FhirClientOptions) {
    this.base = new URL(opts.baseUrl.replace(/\/+$/, '') + '/');
    const agentOpts = { keepAlive: true, maxSockets: 64, maxFreeSockets: 16 };
    this.agent = this.base.protocol === 'https:' ? new https.Agent({ ...agentOpts, rejectUnauthorized: !opts.trustSelfSigned }) : new http.Agent(agentOpts);
  }

  get baseUrl(): string {
    return this.base.href.replace(/\/$/, '');
  }

  /**
   * POSTs a Bundle to the base (batch or transaction). Resolves with the call
   * record whatever the status; rejects with FhirUnavailable. With `keepUntil`
   * (absolute ms) a call that misses its deadline is not cut: the rejection
   * carries `late`, its answer if one comes by `keepUntil` (a transaction the
   * server commits after we gave up).
   */
  postBundle(name: string, bundle: unknown, scope: Scope, keepUntil?: number): Promise<FhirCall> {
    const body = JSON.stringify(bundle);
    const call: FhirCall = { name, method: 'POST', url: this.baseUrl, requestBody: body, startedAt: new Date(), endedAt: new Date() };
    scope.calls.push(call);
    const headers: Record<string, string> = { 'content-type': 'application/fhir+json', accept: 'application/fhir+json' };
    if (this.opts.auth) headers.authorization = basicAuthHeader(this.opts.auth);
    return new Promise((resolve, reject) => {
      let sent: Sent | undefined;
      // 'late': the caller was told "timeout" and holds `late`, which this call still answers.
      let phase: 'waiting' | 'late' | 'over' = 'waiting';
      let timer: NodeJS.Timeout | undefined;
      let settleLate: (c: FhirCall | undefined) => void = () => undefined;
      const finish = (err?: FhirUnavailable, answer?: Reply) => {
        if (phase === 'over') return;
        const late = phase === 'late';
        phase = 'over';
        clearTimeout(timer);
        call.endedAt = new Date();
        if (answer) record(call, answer);
        if (err) {
          sent?.abort(err);
          call.error ??= err.message;
        }
        if (late) {
          this.lateCalls--;
          return settleLate(answer ? call : undefined);
        }
        if (err) reject(err);
        else resolve(call);
      };
      const timedOut = (ms: number) => {
        const message = `FHIR server did not answer within ${ms} ms`;
        if (keepUntil === undefined || keepUntil <= Date.now() || this.lateCalls >= MAX_LATE) return finish(new FhirUnavailable('timeout', message));
        phase = 'late';
        this.lateCalls++;
        call.error = message;
        reject(new FhirUnavailable('timeout', message, new Promise((ok) => (settleLate = ok))));
        timer = setTimeout(() => finish(new FhirUnavailable('timeout', 'no late answer')), keepUntil - Date.now());
      };
      const remaining = scope.deadline - Date.now();
      if (remaining <= 0) return finish(new FhirUnavailable('timeout', 'No time left to call the FHIR server'));
      timer = setTimeout(() => timedOut(remaining), remaining);
      sent = send(this.base, { method: 'POST', headers, body, agent: this.agent });
      sent.reply.then(
        (a) => finish(undefined, a),
        (e: Error) => finish(new FhirUnavailable('network', `FHIR server unreachable: ${e.message}`)),
      );
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

function record(call: FhirCall, a: Reply): void {
  call.status = a.status;
  call.responseHeaders = a.headers;
  call.responseBody = a.body;
}
