import type { OperationOutcomeIssue } from 'fhir/r4';
import { structureIssue } from '../../fhir-validation/issues';
import { eachReference } from '../../core/references';

/**
 * Rewrites, in place, every `reference` that is a Bundle entry's `urn:uuid:`
 * fullUrl to that entry's `<Type>/<id>` (`byUrn`), for both directions: a
 * push's entries (payload.ts) and a clinic's batch (inbound/handle-bundle.ts).
 * With `dangling`, a urn:uuid that names no entry is an issue there (it could
 * never resolve); without, it is left as it is. `at` spells the path only
 * when an issue needs it.
 */
export function literalReferences(value: unknown, byUrn: ReadonlyMap<string, string>, at: () => string, dangling?: OperationOutcomeIssue[]): void {
  eachReference(
    value,
    (reference, holder, path) => {
      if (!reference.startsWith('urn:uuid:')) return;
      const literal = byUrn.get(reference);
      if (literal) holder.reference = literal;
      else
        dangling?.push(
          structureIssue(`${path()}.reference`, `${reference} names no entry of this Bundle; use "<Type>/<id>" for resources outside it`, 'not-found'),
        );
    },
    at,
  );
}
