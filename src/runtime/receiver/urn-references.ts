import type { OperationOutcomeIssue } from 'fhir/r4';
import { structureIssue } from '../../fhir-validation/issues';
import { isObject } from '../../core/values';

/**
 * Rewrites, in place, every `reference` that is a Bundle entry's `urn:uuid:`
 * fullUrl to that entry's `<Type>/<id>` (`byUrn`), for both directions: a
 * push's entries (payload.ts) and a clinic's batch (inbound/handle-bundle.ts).
 * With `dangling`, a urn:uuid that names no entry is an issue there (it could
 * never resolve); without, it is left as it is. `at` spells the path only
 * when an issue needs it.
 */
export function literalReferences(value: unknown, byUrn: ReadonlyMap<string, string>, at: () => string, dangling?: OperationOutcomeIssue[]): void {
  if (Array.isArray(value)) return value.forEach((v, i) => literalReferences(v, byUrn, () => `${at()}[${i}]`, dangling));
  if (!isObject(value)) return;
  for (const k of Object.keys(value)) {
    const v = value[k];
    if (k === 'reference' && typeof v === 'string' && v.startsWith('urn:uuid:')) {
      const literal = byUrn.get(v);
      if (literal) value[k] = literal;
      else dangling?.push(structureIssue(`${at()}.reference`, `${v} names no entry of this Bundle; use "<Type>/<id>" for resources outside it`, 'not-found'));
    } else if (typeof v === 'object' && v !== null) literalReferences(v, byUrn, () => `${at()}.${k}`, dangling);
  }
}
