import type { OperationOutcome, OperationOutcomeIssue } from 'fhir/r4';
import { outcome } from '../../core/outcome';

export { outcome, outcomeOf } from '../../core/outcome';

/** A failed request: HTTP status + the OperationOutcome to answer with. */
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
