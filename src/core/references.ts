import { isObject } from './values';

/**
 * Calls `visit` for every `reference` string held at any depth of a FHIR
 * value, with the object holding it (to rewrite it in place) and its path,
 * spelled only when asked (`Bundle.entry[0].resource.subject`). The one walk
 * behind urn:uuid rewriting, reference ordering and the containment check.
 */
export function eachReference(
  value: unknown,
  visit: (reference: string, holder: Record<string, unknown>, at: () => string) => void,
  at: () => string = () => '',
): void {
  if (Array.isArray(value)) return value.forEach((v, i) => eachReference(v, visit, () => `${at()}[${i}]`));
  if (!isObject(value)) return;
  for (const k of Object.keys(value)) {
    const v = value[k];
    if (k === 'reference' && typeof v === 'string') visit(v, value, at);
    else if (typeof v === 'object' && v !== null) eachReference(v, visit, () => `${at()}.${k}`);
  }
}
