import type { OperationOutcome, OperationOutcomeIssue } from 'fhir/r4';

/**
 * The one way this project makes an OperationOutcome: every error answer
 * (receiver, embedded store, extension libs) and every validation report.
 */
export function outcome(
  severity: OperationOutcomeIssue['severity'],
  code: OperationOutcomeIssue['code'],
  text: string,
  expression?: string[],
): OperationOutcome {
  return outcomeOf([{ severity, code, details: { text }, ...(expression ? { expression } : {}) }]);
}

/** The issues as an OperationOutcome; one informational issue when there are none (FHIR needs at least one). */
export function outcomeOf(issues: OperationOutcomeIssue[]): OperationOutcome {
  return {
    resourceType: 'OperationOutcome',
    issue: issues.length ? issues : [{ severity: 'information', code: 'informational', details: { text: 'All OK' } }],
  };
}
