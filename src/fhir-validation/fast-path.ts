import {
  fhirTypeToJsType,
  isPrimitiveType,
  toTypedValue,
  tryGetDataType,
  validationRegexes,
  type InternalSchemaElement,
  type InternalTypeSchema,
  type TypedValue,
} from '@medplum/core';
import { firstBroken, type InvariantScope } from './invariants';
import { isObject } from '../core/values';

/**
 * A one-sided shortcut for @medplum/core's `validateResource`: true only when
 * that call would report no error. Medplum walks every element of each type's
 * schema, present or not (most of its cost); this walks only the keys present,
 * with medplum's own schemas, type resolution, primitive rules and invariants
 * (./invariants: medplum's FHIRPath engine, the same variables). Anything
 * it does not model exactly (primitive extensions `_x`, nulls, empty objects,
 * fixed/pattern/sliced elements, unknown or duplicate keys, a value of the
 * wrong JSON kind, any failing or throwing invariant) answers false, and the
 * caller runs medplum, so every issue list still comes from medplum itself.
 */
export function provablyValid(resource: Record<string, unknown>): boolean {
  const root = toTypedValue(resource);
  // Medplum types the root by shape (a Quantity-like object is a Quantity): leave odd roots to it.
  if (root.type !== resource.resourceType) return false;
  const schema = tryGetDataType(root.type);
  if (!schema) return false;
  const ctx: InvariantScope = { rootResource: root, resource: root };
  return !firstBroken(schema.constraints, root, ctx) && walk(resource, schema, ctx);
}

/** One JSON key of a type: the element it fills and its type code (a choice key names one type). */
interface Slot {
  name: string;
  element: InternalSchemaElement;
  type: string;
}

interface Plan {
  byKey: Map<string, Slot>;
  /** Element names with min >= 1. */
  required: string[];
}

const plans = new WeakMap<InternalTypeSchema, Plan | null>();

/** Per type schema, once: key -> slot, and the required elements; null when the schema has shapes we leave to medplum. */
function planOf(schema: InternalTypeSchema): Plan | null {
  let plan = plans.get(schema);
  if (plan !== undefined) return plan;
  plan = { byKey: new Map(), required: [] };
  const taken = new Set<string>();
  for (const [name, element] of Object.entries(schema.elements)) {
    const segment = element.path.slice(element.path.lastIndexOf('.') + 1);
    if (name.includes('.') || segment !== name) {
      plan = null;
      break;
    }
    if (element.min > 0) plan.required.push(name);
    // fixed/pattern/slicing: medplum compares values; not modelled here, so never a shortcut.
    const exotic = element.fixed !== undefined || element.pattern !== undefined || element.slicing !== undefined;
    for (const t of element.type ?? []) {
      const key = segment.replace('[x]', capitalize(t.code));
      // Several types under one key (not a choice): medplum takes the first.
      if (plan.byKey.get(key)?.name === name) continue;
      if (taken.has(key))
        plan.byKey.delete(key); // two elements claim the key: leave it to medplum
      else if (!exotic) plan.byKey.set(key, { name, element, type: t.code });
      taken.add(key);
    }
  }
  plans.set(schema, plan);
  return plan;
}

function walk(obj: Record<string, unknown>, schema: InternalTypeSchema, ctx: InvariantScope): boolean {
  const plan = planOf(schema);
  if (!plan) return false;
  const filled = new Set<string>();
  for (const key of Object.keys(obj)) {
    // resourceType is only expected where walk was entered for a resource (checked by the caller).
    if (key === 'resourceType') continue;
    const slot = plan.byKey.get(key);
    if (!slot || filled.has(slot.name)) return false;
    filled.add(slot.name);
    if (!checkProperty(obj[key], slot, ctx)) return false;
  }
  for (const name of plan.required) if (!filled.has(name)) return false;
  return true;
}

function checkProperty(value: unknown, { element, type }: Slot, ctx: InvariantScope): boolean {
  if (value === null || value === undefined) return false;
  const values = element.isArray ? value : [value];
  if (!Array.isArray(values) || (!element.isArray && Array.isArray(value))) return false;
  if (values.length === 0 || values.length < element.min || values.length > element.max) return false;
  // As medplum's getTypedPropertyValueWithSchema: backbone values take the element's (inner) type.
  const code = type === 'Element' || type === 'BackboneElement' ? (element.type[0]?.code ?? type) : type;
  for (const item of values) {
    if (item === null || item === undefined) return false;
    let itemType = code;
    if (code === 'Resource') {
      if (!isObject(item) || typeof item.resourceType !== 'string') return false;
      itemType = item.resourceType;
    } else if (code === 'DomainResource') return false;
    const typed: TypedValue = { type: itemType, value: item as unknown };
    if (firstBroken(element.constraints, typed, ctx)) return false;
    if (isPrimitiveType(itemType)) {
      if (!primitiveOk(item, itemType)) return false;
      continue;
    }
    if (!isObject(item) || !hasKeys(item)) return false;
    // A resourceType key where no resource belongs: medplum skips it silently; not modelled.
    if (code !== 'Resource' && 'resourceType' in item) return false;
    const schema = tryGetDataType(itemType);
    if (!schema) return false;
    const inner = code === 'Resource' ? { rootResource: ctx.rootResource, resource: toTypedValue(item) } : ctx;
    if (!walk(item, schema, inner)) return false;
  }
  return true;
}

function primitiveOk(value: unknown, type: string): boolean {
  const jsType = (fhirTypeToJsType as Record<string, string>)[type];
  if (!jsType || typeof value !== jsType) return false;
  if (typeof value === 'string') {
    if (!value.trim() || value.length > 1024 * 1024) return false;
    const regex = validationRegexes[type];
    return !regex || regex.test(value);
  }
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return false;
    if ((type === 'integer' || type === 'positiveInt' || type === 'unsignedInt') && !Number.isInteger(value)) return false;
    if (type === 'positiveInt' && value <= 0) return false;
    if (type === 'unsignedInt' && value < 0) return false;
  }
  return true;
}

function capitalize(word: string): string {
  return word ? word.charAt(0).toUpperCase() + word.substring(1) : '';
}

function hasKeys(o: object): boolean {
  for (const _k in o) return true;
  return false;
}
