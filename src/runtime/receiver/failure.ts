import type { OperationOutcome, OperationOutcomeIssue } from 'fhir/r4';
import { outcome } from '../../core/outcome';

export { outcome, outcomeOf } from '../../core/outcome';

/**
 * The receiver's one error type: a request that did not succeed, carrying
 * the HTTP status and OperationOutcome it is answered with. Code below the
 * HTTP edge throws one of the kinds below, which say who must act; the edge
 * (http-edge.ts, and a Bundle's entries in inbound/handle-bundle.ts) writes
 * `status`, `body` and `headers` as they are, and answers anything else 500.
 */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: OperationOutcome,
    readonly headers: Record<string, string> = {},
  ) {
    super(body.issue.map((i) => i.details?.text).join('; '));
  }
}

export const fail = (status: number, code: OperationOutcomeIssue['code'], text: string, expression?: string[]) =>
  new HttpError(status, outcome('error', code, text, expression));

/**
 * The sender's resource cannot be taken as it is (no mapping, no patient CHT
 * knows, a required value missing, a move CHT cannot make, CHT refusing it):
 * the sender must change it, so retrying is pointless: 422, or 409 for a
 * conflict with what CHT holds.
 */
export class Refused extends HttpError {
  constructor(code: OperationOutcomeIssue['code'], text: string, expression?: string[], conflict = false) {
    super(conflict ? 409 : 422, outcome('error', code, text, expression));
    this.name = 'Refused';
  }
}

/**
 * A server the receiver depends on (the FHIR server, CHT) gave no usable
 * answer now: the sender retries later. 504 when it did not answer in time,
 * 503 with Retry-After when it is known when to call again, 502 otherwise.
 */
export class Unavailable extends HttpError {
  constructor(
    readonly kind: 'timeout' | 'network',
    text: string,
    retryAfter?: number,
  ) {
    const status = kind === 'timeout' ? 504 : retryAfter ? 503 : 502;
    super(status, outcome('error', kind === 'timeout' ? 'timeout' : 'transient', text), retryAfter ? { 'retry-after': String(retryAfter) } : {});
  }
}

/** What an error thrown while answering becomes: ours as it is; anything else is a fault of the receiver's (500). */
export const answerOf = (e: unknown): HttpError => (e instanceof HttpError ? e : fail(500, 'exception', 'Internal error'));
