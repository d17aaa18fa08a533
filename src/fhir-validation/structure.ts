import type { OperationOutcomeIssue } from 'fhir/r4';
import { structureIssue } from './issues';

/** Deeper than any real R4 resource (nested Questionnaire items, extensions on extensions). */
export const MAX_DEPTH = 48;
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * Cheap checks run before the schema validation so hostile input never
 * reaches it: nesting depth, prototype-polluting keys, nested resources
 * whose resourceType is not an R4 resource (which would abort the schema
 * walk without a path), empty strings and arrays. Stops after 20 problems.
 */
export function checkShape(value: unknown, expression: string, resourceTypes: ReadonlySet<string>): OperationOutcomeIssue[] {
  const issues: OperationOutcomeIssue[] = [];
  visit(value, expression, 0, resourceTypes, issues);
  return issues;
}

function visit(value: unknown, expr: string, depth: number, types: ReadonlySet<string>, issues: OperationOutcomeIssue[]): void {
  if (issues.length >= 20) return;
  // FHIR JSON has no empty strings or arrays (absent means absent); medplum lets both through.
  if (value === '') issues.push(structureIssue(expr, 'Empty string (omit the element instead)'));
  if (Array.isArray(value) && value.length === 0) issues.push(structureIssue(expr, 'Empty array (omit the element instead)'));
  if (typeof value !== 'object' || value === null) return;
  if (depth > MAX_DEPTH) {
    issues.push(structureIssue(expr, `Nested deeper than ${MAX_DEPTH} levels`, 'too-costly'));
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((v, i) => visit(v, `${expr}[${i}]`, depth + 1, types, issues));
    return;
  }
  const obj = value as Record<string, unknown>;
  if (depth > 0 && 'resourceType' in obj && !(typeof obj.resourceType === 'string' && types.has(obj.resourceType))) {
    issues.push(structureIssue(expr, `Unknown resourceType ${JSON.stringify(obj.resourceType)}`, 'not-supported'));
  }
  for (const key of Object.keys(obj)) {
    if (FORBIDDEN_KEYS.has(key)) {
      issues.push(structureIssue(`${expr}.${key}`, `Forbidden property name "${key}"`, 'security'));
      continue;
    }
    visit(obj[key], `${expr}.${key}`, depth + 1, types, issues);
  }
}
