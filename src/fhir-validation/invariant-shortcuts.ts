import { isObject } from '../core/values';

/**
 * Plain-JS answers for the R4 invariants every push meets (Bundle, entry,
 * DomainResource, Observation, Condition, Task, QuestionnaireResponse),
 * keyed by the exact FHIRPath text so a changed definition simply loses its
 * shortcut. Each answers true only when the expression is certainly true for
 * that JSON; anything else (false) means "evaluate the FHIRPath". The test
 * `fhir-validation-invariants` checks every "true" against the FHIRPath
 * engine on the R4 examples and mutations of them.
 */
export type Shortcut = (value: unknown, resource: unknown) => boolean;

export function shortcutFor(expression: string): Shortcut | undefined {
  return SHORTCUTS.get(expression);
}

const has = (o: Record<string, unknown>, key: string) => Object.prototype.hasOwnProperty.call(o, key);
/** No value and no primitive extension under `key`. */
const absent = (o: Record<string, unknown>, key: string) => !has(o, key) && !has(o, `_${key}`);
/** No `name[x]` key of any type (choice elements). */
const noChoice = (o: Record<string, unknown>, name: string) => !Object.keys(o).some((k) => k.startsWith(name) || k.startsWith(`_${name}`));
const filled = (v: unknown) => isObject(v) && Object.keys(v).length > 0;

/** The entries as objects ([] when there are none), or undefined when the shape is unusual. */
function entries(bundle: Record<string, unknown>): Record<string, unknown>[] | undefined {
  if (absent(bundle, 'entry')) return [];
  return Array.isArray(bundle.entry) && bundle.entry.every(isObject) ? bundle.entry : undefined;
}

/** `type = '<t>' implies ...` is true when type is another code. */
const typeIsNot = (t: string) => (v: unknown) => isObject(v) && typeof v.type === 'string' && !has(v, '_type') && v.type !== t;

/** `entry.all(<key>.exists() = (%resource.type = one of types))`. */
const entriesHaveKeyIff =
  (key: string, types: string[]): Shortcut =>
  (v, resource) => {
    if (!isObject(v) || v !== resource || typeof v.type !== 'string' || has(v, '_type')) return false;
    const list = entries(v);
    const want = types.includes(v.type);
    return !!list && list.every((e) => (want ? filled(e[key]) : !has(e, key)));
  };

/** `(type = 'history') or entry.where(fullUrl.exists()).select(fullUrl&resource.meta.versionId).isDistinct()`. */
const fullUrlsDistinct: Shortcut = (v) => {
  if (!isObject(v)) return false;
  if (v.type === 'history') return true;
  const list = entries(v);
  if (!list) return false;
  const seen = new Set<string>();
  for (const e of list) {
    if (has(e, '_fullUrl')) return false;
    if (!has(e, 'fullUrl')) continue;
    if (typeof e.fullUrl !== 'string') return false;
    let version = '';
    if (has(e, 'resource')) {
      if (!isObject(e.resource)) return false;
      const meta = e.resource.meta;
      if (meta !== undefined) {
        if (!isObject(meta) || has(meta, '_versionId')) return false;
        if (meta.versionId !== undefined && typeof meta.versionId !== 'string') return false;
        version = (meta.versionId as string | undefined) ?? '';
      }
    }
    const key = e.fullUrl + version;
    if (seen.has(key)) return false;
    seen.add(key);
  }
  return true;
};

const SHORTCUTS = new Map<string, Shortcut>([
  // Bundle
  ["total.empty() or (type = 'searchset') or (type = 'history')", (v) => isObject(v) && absent(v, 'total')],
  ["entry.search.empty() or (type = 'searchset')", (v) => isObject(v) && !!entries(v)?.every((e) => !has(e, 'search'))],
  ["entry.all(request.exists() = (%resource.type = 'batch' or %resource.type = 'transaction' or %resource.type = 'history'))", entriesHaveKeyIff('request', ['batch', 'transaction', 'history'])],
  ["entry.all(response.exists() = (%resource.type = 'batch-response' or %resource.type = 'transaction-response' or %resource.type = 'history'))", entriesHaveKeyIff('response', ['batch-response', 'transaction-response', 'history'])],
  ["(type = 'history') or entry.where(fullUrl.exists()).select(fullUrl&resource.meta.versionId).isDistinct()", fullUrlsDistinct],
  ["type = 'document' implies (identifier.system.exists() and identifier.value.exists())", typeIsNot('document')],
  ["type = 'document' implies (timestamp.hasValue())", typeIsNot('document')],
  ["type = 'document' implies entry.first().resource.is(Composition)", typeIsNot('document')],
  ["type = 'message' implies entry.first().resource.is(MessageHeader)", typeIsNot('message')],
  // Bundle.entry
  ['resource.exists() or request.exists() or response.exists()', (v) => isObject(v) && (filled(v.resource) || filled(v.request) || filled(v.response))],
  ["fullUrl.exists() implies fullUrl.contains('/_history/').not()", (v) => isObject(v) && !has(v, '_fullUrl') && (!has(v, 'fullUrl') || (typeof v.fullUrl === 'string' && !v.fullUrl.includes('/_history/')))],
  // DomainResource: nothing contained, nothing to check
  ['contained.contained.empty()', (v) => isObject(v) && absent(v, 'contained')],
  ['contained.meta.versionId.empty() and contained.meta.lastUpdated.empty()', (v) => isObject(v) && absent(v, 'contained')],
  ['contained.meta.security.empty()', (v) => isObject(v) && absent(v, 'contained')],
  // Observation
  ['dataAbsentReason.empty() or value.empty()', (v) => isObject(v) && absent(v, 'dataAbsentReason')],
  ['value.empty() or component.code.where(coding.intersect(%resource.code.coding).exists()).empty()', (v) => isObject(v) && absent(v, 'component')],
  // Condition
  [
    "abatement.empty() or clinicalStatus.coding.where(system='http://terminology.hl7.org/CodeSystem/condition-clinical' and (code='resolved' or code='remission' or code='inactive')).exists()",
    (v) => isObject(v) && noChoice(v, 'abatement'),
  ],
  [
    "verificationStatus.coding.where(system='http://terminology.hl7.org/CodeSystem/condition-ver-status' and code='entered-in-error').empty() or clinicalStatus.empty()",
    (v) => isObject(v) && (absent(v, 'verificationStatus') || absent(v, 'clinicalStatus')),
  ],
  // Task
  ['lastModified.exists().not() or authoredOn.exists().not() or lastModified >= authoredOn', (v) => isObject(v) && (absent(v, 'lastModified') || absent(v, 'authoredOn'))],
  // QuestionnaireResponse.item
  ['(answer.exists() and item.exists()).not()', (v) => isObject(v) && (!has(v, 'answer') || !has(v, 'item'))],
]);

/** For the test: every expression that has a shortcut. */
export const shortcutExpressions = (): string[] => [...SHORTCUTS.keys()];
