import type { OperationOutcome, OperationOutcomeIssue } from 'fhir/r4';

/** Every answer of the receiver is an OperationOutcome; this is the one way to make one. */
export function outcome(severity: OperationOutcomeIssue['severity'], code: OperationOutcomeIssue['code'], text: string, expression?: string[]): OperationOutcome {
  return { resourceType: 'OperationOutcome', issue: [{ severity, code, details: { text }, ...(expression ? { expression } : {}) }] };
}

export function outcomeOf(issues: OperationOutcomeIssue[]): OperationOutcome {
  return { resourceType: 'OperationOutcome', issue: issues };
}

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
