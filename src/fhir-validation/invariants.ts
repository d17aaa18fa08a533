import { evalFhirPathTyped, parseFhirPath, toTypedValue, UCUM, type Constraint, type FhirPathAtom, type TypedValue } from '@medplum/core';

/**
 * FHIR invariants (constraint FHIRPath expressions) as @medplum/core's
 * validator evaluates them: error severity only, minus the keys it skips,
 * true only when the expression yields exactly `true`, with %context,
 * %ucum, %resource and %rootResource set.
 */
export const SKIPPED_KEYS = new Set(['ele-1', 'dom-3', 'org-1', 'sdf-19']);

export interface InvariantScope {
  /** The resource whose element is checked (%resource). */
  resource: TypedValue;
  /** The resource being validated, which may hold the other in a Bundle or `contained` (%rootResource). */
  rootResource: TypedValue;
}

export interface Broken {
  constraint: Constraint;
  /** Set when the expression threw instead of answering. */
  error?: Error;
}

const UCUM_VALUE = toTypedValue(UCUM);
const parsed = new Map<string, FhirPathAtom>();

/** The first error invariant `value` breaks (medplum reports one per value), or undefined when all hold. */
export function firstBroken(constraints: readonly Constraint[] | undefined, value: TypedValue, scope: InvariantScope): Broken | undefined {
  if (!constraints) return undefined;
  for (const constraint of constraints) {
    if (constraint.severity !== 'error' || SKIPPED_KEYS.has(constraint.key)) continue;
    try {
      let atom = parsed.get(constraint.expression);
      if (!atom) parsed.set(constraint.expression, (atom = parseFhirPath(constraint.expression)));
      const variables = { '%context': value, '%ucum': UCUM_VALUE, '%resource': scope.resource, '%rootResource': scope.rootResource };
      const out = evalFhirPathTyped(atom, [value], variables);
      if (out.length !== 1 || out[0]?.value !== true) return { constraint };
    } catch (e) {
      return { constraint, error: e as Error };
    }
  }
  return undefined;
}
