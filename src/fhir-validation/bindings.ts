import type { Coding, OperationOutcomeIssue } from 'fhir/r4';
import type { Definitions } from './definitions';
import { structureIssue } from './issues';

/**
 * Checks the required bindings @medplum/core leaves out: every code, Coding and
 * CodeableConcept under a required binding whose system we can enumerate must
 * hold a code of the bound value set. Walks the resource along the base
 * definitions, through backbones, datatypes, contained and nested resources.
 */
export function checkRequiredBindings(resource: Record<string, unknown>, defs: Definitions, expression: string): OperationOutcomeIssue[] {
  const issues: OperationOutcomeIssue[] = [];
  walk(resource, String(resource.resourceType), expression, defs, issues);
  return issues;
}

function walk(obj: Record<string, unknown>, defPath: string, expr: string, defs: Definitions, issues: OperationOutcomeIssue[]): void {
  for (const key of Object.keys(obj)) {
    if (key === 'resourceType' || key.startsWith('_')) continue;
    const found = defs.elements.child(defPath, key);
    if (!found) continue; // unknown keys are reported by the structural validation
    const { element, type } = found;
    const value = obj[key];
    const items = Array.isArray(value) ? value : [value];
    items.forEach((item, i) => {
      const itemExpr = `${expr}.${key}${Array.isArray(value) ? `[${i}]` : ''}`;
      if (element.requiredValueSet) checkBinding(item, type, element.requiredValueSet, itemExpr, defs, issues);
      if (!isObject(item)) {
        // The schema validation does not catch a non-object where a resource belongs.
        if (type === 'Resource' && item !== null) issues.push(structureIssue(itemExpr, 'Expected a resource (a JSON object with resourceType)'));
        return;
      }
      if (element.childPath) walk(item, element.childPath, itemExpr, defs, issues);
      else if (type === 'Resource' || type === 'DomainResource') {
        if (typeof item.resourceType === 'string' && defs.resourceTypes.has(item.resourceType)) walk(item, item.resourceType, itemExpr, defs, issues);
      } else if (defs.elements.isComplex(type)) walk(item, type, itemExpr, defs, issues);
    });
  }
}

function checkBinding(value: unknown, type: string, url: string, expr: string, defs: Definitions, issues: OperationOutcomeIssue[]): void {
  const expansion = defs.terminology.expansion(url);
  if (!expansion) return;
  if (type === 'code' && typeof value === 'string') {
    if (!expansion.complete) return;
    for (const codes of expansion.systems.values()) if (codes.has(value)) return;
    issues.push(structureIssue(expr, `Value "${value}" is not in the required value set ${url}`, 'code-invalid'));
    return;
  }
  const codings: { coding: Coding; expr: string }[] = [];
  if (type === 'Coding' && isObject(value)) codings.push({ coding: value as Coding, expr });
  if (type === 'CodeableConcept' && isObject(value) && Array.isArray(value.coding)) {
    value.coding.forEach((c, i) => isObject(c) && codings.push({ coding: c as Coding, expr: `${expr}.coding[${i}]` }));
  }
  for (const { coding, expr: codingExpr } of codings) {
    if (typeof coding.system !== 'string' || typeof coding.code !== 'string') continue;
    const codes = expansion.systems.get(coding.system);
    if (codes && !codes.has(coding.code)) {
      issues.push(structureIssue(codingExpr, `Code "${coding.code}" of ${coding.system} is not in the required value set ${url}`, 'code-invalid'));
    }
  }
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
