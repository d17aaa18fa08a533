import type { OperationOutcomeIssue } from 'fhir/r4';
import { HttpError, outcome } from './failure';

/**
 * HAPI FHIR JPA refuses a write whose reference names a resource it does not
 * hold (`enforce_referential_integrity_on_write`, on by default) with HTTP 400
 * and "HAPI-1094: Resource Patient/x not found, specified in path:
 * Encounter.subject", rolling back the whole transaction. For a push that is
 * not bad content but a wrong order (a report before its patient): the
 * target usually arrives with another push. So it is answered 503, which CHT
 * retries (every 5 minutes) until the target is there, instead of 422.
 */
/**
 * HAPI-1096 "Resource Patient/x is deleted" also comes when the target's own
 * create is committing at that moment (seen with a report and its patient
 * pushed at once): the next try finds it. (A target really deleted keeps
 * failing either way: CHT retries any non-2xx.)
 */
const HAPI_MISSING_TARGET = /HAPI-109[46]: Resource (\S+) (?:not found|is deleted), specified in path: (.+)$/;

export function awaitingReferences(issues: OperationOutcomeIssue[]): HttpError | undefined {
  const missing = issues.map((i) => HAPI_MISSING_TARGET.exec(i.diagnostics ?? '')).filter((m): m is RegExpExecArray => !!m);
  if (!missing.length) return undefined;
  const list = missing.map((m) => `${m[1]} (${m[2]})`).join(', ');
  const body = outcome(
    'error',
    'transient',
    `The FHIR server does not hold ${list} yet and enforces referential integrity: nothing was written; retry once it is pushed`,
  );
  body.issue.push(...issues);
  return new HttpError(503, body);
}
