import type { OperationOutcomeIssue } from 'fhir/r4';
import { isObject } from '../core/values';
import { eachReference } from '../core/references';

/**
 * The R4 invariants @medplum/core skips (invariants.ts SKIPPED_KEYS), written
 * out here for every resource in the tree (the root, `contained`, Bundle
 * entries), so a resource HL7's validator refuses is refused here too:
 * - dom-3: a contained resource is referenced from elsewhere in its container
 *   (`#<id>` in a reference, canonical or uri) or refers to the container
 *   (`#`); one without an id can only do the latter;
 * - org-1: an Organization has an identifier or a name.
 * (ele-1, "has a value or children", is checked by the structural walk;
 * sdf-19 concerns StructureDefinitions, which nothing here takes.)
 */
export function skippedInvariantIssues(resource: Record<string, unknown>, expression: string): OperationOutcomeIssue[] {
  const issues: OperationOutcomeIssue[] = [];
  visit(resource, expression, issues);
  return issues;
}

function visit(node: unknown, expr: string, issues: OperationOutcomeIssue[]): void {
  if (Array.isArray(node)) return node.forEach((n, i) => visit(n, `${expr}[${i}]`, issues));
  if (!isObject(node)) return;
  if (typeof node.resourceType === 'string') checkResource(node, expr, issues);
  for (const [k, v] of Object.entries(node)) if (typeof v === 'object' && v !== null) visit(v, `${expr}.${k}`, issues);
}

function checkResource(r: Record<string, unknown>, expr: string, issues: OperationOutcomeIssue[]): void {
  if (r.resourceType === 'Organization' && !nonEmpty(r.identifier) && typeof r.name !== 'string')
    issues.push(issue(expr, 'org-1', 'The organization SHALL at least have a name or an identifier, and possibly more than one'));
  if (!Array.isArray(r.contained)) return;
  const pointers = new Set<string>();
  collectPointers(r, pointers);
  r.contained.forEach((c, i) => {
    if (!isObject(c)) return;
    const id = typeof c.id === 'string' ? c.id : undefined;
    const referenced = id !== undefined && pointers.has(`#${id}`);
    const pointsBack = refersBack(c);
    if (!referenced && !pointsBack)
      issues.push(
        issue(
          `${expr}.contained[${i}]`,
          'dom-3',
          `A contained resource SHALL be referred to from elsewhere in the resource or SHALL refer to the containing resource (${id ? `nothing refers to #${id}` : 'it has no id'})`,
        ),
      );
  });
}

/** Every local pointer (`#...`) held anywhere in the resource: references, canonicals, uris. */
function collectPointers(node: unknown, into: Set<string>): void {
  if (typeof node === 'string') {
    if (node.startsWith('#')) into.add(node);
  } else if (Array.isArray(node)) for (const n of node) collectPointers(n, into);
  else if (isObject(node)) for (const v of Object.values(node)) collectPointers(v, into);
}

/** A Reference to the containing resource (`{reference: '#'}`) anywhere inside. */
function refersBack(node: unknown): boolean {
  let back = false;
  eachReference(node, (reference) => (back ||= reference === '#'));
  return back;
}

function nonEmpty(v: unknown): boolean {
  return Array.isArray(v) && v.length > 0;
}

function issue(expression: string, key: string, text: string): OperationOutcomeIssue {
  return { severity: 'error', code: 'invariant', details: { text: `Constraint ${key} not met: ${text}` }, expression: [expression] };
}
