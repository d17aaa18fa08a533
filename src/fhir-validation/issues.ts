import type { Constraint } from '@medplum/core';
import type { OperationOutcomeIssue } from 'fhir/r4';

export function structureIssue(expression: string, text: string, code: OperationOutcomeIssue['code'] = 'structure'): OperationOutcomeIssue {
  return { severity: 'error', code, details: { text }, expression: [expression] };
}

/** A broken invariant, worded as @medplum/core words it; `error` when the expression could not be evaluated. */
export function invariantIssue(expression: string, c: Constraint, error?: Error): OperationOutcomeIssue {
  const text = error ? `Error evaluating invariant ${c.key}: ${error.message}` : `Constraint ${c.key} not met: ${c.description}`;
  return {
    severity: 'error',
    code: error ? 'processing' : 'invariant',
    details: { text },
    expression: [expression],
    diagnostics: JSON.stringify({ fhirpath: c.expression }),
  };
}

/** One line per issue: `Patient.gender: Value "boy" is not in ...`. */
export function formatIssues(issues: OperationOutcomeIssue[]): string {
  return issues.map((i) => `${i.expression?.join(', ') ?? '(resource)'}: ${i.details?.text ?? i.diagnostics ?? i.code}`).join('\n');
}
