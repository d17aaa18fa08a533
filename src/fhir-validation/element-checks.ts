import { toTypedValue, tryGetDataType, type TypedValue } from '@medplum/core';
import type { Coding, OperationOutcomeIssue } from 'fhir/r4';
import type { Definitions } from './definitions';
import { firstBroken } from './invariants';
import { invariantIssue, structureIssue } from './issues';
import { valueIssue } from './value-rules';
import { isObject } from '../core/values';

/**
 * The element rules @medplum/core leaves out, checked in one walk along the
 * base definitions (through backbones, datatypes, contained and nested
 * resources):
 * - required bindings: every code, Coding and CodeableConcept under a
 *   required binding whose system we can enumerate holds a code of the set;
 * - a dateTime/instant with a time has a time zone (R4 "SHALL");
 * - at most one key per choice element (`value[x]`);
 * - the invariants of each nested resource's own type (Bundle entries,
 *   contained): medplum checks those of the root resource only.
 */
export function checkElements(resource: Record<string, unknown>, defs: Definitions, expression: string): OperationOutcomeIssue[] {
  const issues: OperationOutcomeIssue[] = [];
  walk(resource, String(resource.resourceType), expression, { defs, issues, root: toTypedValue(resource) });
  return issues;
}

interface Walk {
  defs: Definitions;
  issues: OperationOutcomeIssue[];
  /** The resource being validated, as %rootResource. */
  root: TypedValue;
}

function walk(obj: Record<string, unknown>, defPath: string, expr: string, w: Walk): void {
  const { defs, issues } = w;
  const choices = new Map<string, string>();
  for (const key of Object.keys(obj)) {
    if (key === 'resourceType' || key.startsWith('_')) continue;
    const found = defs.elements.child(defPath, key);
    if (!found) continue; // unknown keys are reported by the structural validation
    const { element, type } = found;
    if (element.path.endsWith('[x]')) {
      const other = choices.get(element.path);
      if (other) issues.push(structureIssue(`${expr}.${key}`, `Only one of ${other} and ${key} may be present (${element.path})`));
      choices.set(element.path, key);
    }
    const value = obj[key];
    const items = Array.isArray(value) ? value : [value];
    items.forEach((item, i) => {
      const itemExpr = `${expr}.${key}${Array.isArray(value) ? `[${i}]` : ''}`;
      if (element.requiredValueSet) checkBinding(item, type, element.requiredValueSet, itemExpr, defs, issues);
      const bad = valueIssue(key === 'id' && 'resourceType' in obj ? 'id' : type, item, itemExpr);
      if (bad) issues.push(bad);
      if ((type === 'dateTime' || type === 'instant') && typeof item === 'string' && TIME_WITHOUT_ZONE.test(item)) {
        issues.push(structureIssue(itemExpr, `${type} "${item}" has a time but no time zone (Z or +hh:mm)`));
      }
      if (!isObject(item)) {
        // The schema validation does not catch a non-object where a resource belongs.
        if (type === 'Resource' && item !== null) issues.push(structureIssue(itemExpr, 'Expected a resource (a JSON object with resourceType)'));
        return;
      }
      if (element.childPath) walk(item, element.childPath, itemExpr, w);
      else if (type === 'Resource' || type === 'DomainResource') {
        if (typeof item.resourceType === 'string' && defs.resourceTypes.has(item.resourceType)) {
          checkInvariants(item, item.resourceType, itemExpr, w);
          walk(item, item.resourceType, itemExpr, w);
        }
      } else if (defs.elements.isComplex(type)) walk(item, type, itemExpr, w);
    });
  }
}

function checkInvariants(resource: Record<string, unknown>, type: string, expr: string, w: Walk): void {
  const typed: TypedValue = { type, value: resource };
  const broken = firstBroken(tryGetDataType(type)?.constraints, typed, { resource: typed, rootResource: w.root });
  if (broken) w.issues.push(invariantIssue(expr, broken.constraint, broken.error));
}

const TIME_WITHOUT_ZONE = /T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/;

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
  if (type === 'Coding' && isObject(value)) codings.push({ coding: value, expr });
  if (type === 'CodeableConcept' && isObject(value) && Array.isArray(value.coding)) {
    value.coding.forEach((c, i) => isObject(c) && codings.push({ coding: c, expr: `${expr}.coding[${i}]` }));
  }
  for (const { coding, expr: codingExpr } of codings) {
    if (typeof coding.system !== 'string' || typeof coding.code !== 'string') continue;
    const codes = expansion.systems.get(coding.system);
    if (codes && !codes.has(coding.code)) {
      issues.push(structureIssue(codingExpr, `Code "${coding.code}" of ${coding.system} is not in the required value set ${url}`, 'code-invalid'));
    }
  }
}
