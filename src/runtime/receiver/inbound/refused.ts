import type { OperationOutcomeIssue } from 'fhir/r4';

/**
 * The sender's resource cannot be taken as it is (no mapping, no patient CHT
 * knows, a required value missing, a move CHT cannot make): the sender must
 * change it, so retrying is pointless. The HTTP edge answers 422 (409 for a
 * conflict with what CHT holds) with `code` and `expression`.
 */
export class Refused extends Error {
  constructor(
    readonly code: OperationOutcomeIssue['code'],
    message: string,
    readonly expression?: string[],
    readonly conflict = false,
  ) {
    super(message);
    this.name = 'Refused';
  }
}
