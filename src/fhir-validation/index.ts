import { OperationOutcomeError, validateResource } from '@medplum/core';
import type { OperationOutcomeIssue } from 'fhir/r4';
import { checkElements } from './element-checks';
import { isObject } from '../core/values';
import { definitions } from './definitions';
import { formatIssues, structureIssue } from './issues';
import { provablyValid } from './fast-path';
import { checkShape } from './structure';
import { skippedInvariantIssues } from './skipped-invariants';

export { formatIssues } from './issues';
export { MAX_DEPTH } from './structure';

/**
 * Validates a FHIR R4 resource (and every resource nested in it: contained,
 * Bundle entries) against the base R4 definitions: structure, cardinality,
 * primitive formats, unknown properties, invariants (via @medplum/core);
 * required bindings, time zones, single choice values, no empty strings or
 * arrays (here). Returns the error issues; empty means valid.
 * Each issue names the failing element as a FHIRPath expression, e.g.
 * `Bundle.entry[2].resource.status`.
 */
export function validateR4(resource: unknown): OperationOutcomeIssue[] {
  const defs = definitions();
  if (!isObject(resource)) return [structureIssue('(root)', 'A resource must be a JSON object', 'structure')];
  const type = resource.resourceType;
  if (typeof type !== 'string' || !defs.resourceTypes.has(type)) {
    return [structureIssue('resourceType', `Unknown resourceType ${JSON.stringify(type)}`, 'not-supported')];
  }
  const shape = checkShape(resource, type, defs.resourceTypes);
  if (shape.length) return shape;
  // Medplum reports every issue, but its walk is most of the cost: skipped only when it would find no error.
  const issues = fastPath && provablyValid(resource) ? [] : medplumIssues(resource, type);
  issues.push(...checkElements(resource, defs, type), ...skippedInvariantIssues(resource, type));
  return issues.filter((i) => i.severity === 'error' || i.severity === 'fatal');
}

function medplumIssues(resource: Record<string, unknown>, type: string): OperationOutcomeIssue[] {
  try {
    // @medplum/core has its own (structurally equal) FHIR types.
    return validateResource(resource as unknown as Parameters<typeof validateResource>[0]) as unknown as OperationOutcomeIssue[];
  } catch (e) {
    if (e instanceof OperationOutcomeError) return (e.outcome.issue ?? []) as unknown as OperationOutcomeIssue[];
    return [structureIssue(type, `Validation failed: ${(e as Error).message}`, 'exception')];
  }
}

let fastPath = true;

/** For the verdict-equality test: false runs @medplum/core's full walk on every resource. */
export function useFastPath(on: boolean): void {
  fastPath = on;
}

/** For tests: throws an Error listing every issue when the resource is not valid R4. */
export function assertValidR4(resource: unknown): void {
  const issues = validateR4(resource);
  if (issues.length) {
    const label = isObject(resource) ? `${String(resource.resourceType)}/${typeof resource.id === 'string' ? resource.id : ''}` : typeof resource;
    throw new Error(`${label} is not valid FHIR R4:\n${formatIssues(issues)}`);
  }
}

/** Loads the definitions now instead of on the first validation (about 2 s). */
export function preloadR4Definitions(): void {
  definitions();
}
