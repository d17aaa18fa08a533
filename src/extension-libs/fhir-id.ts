import { stableId, DEFAULT_NAMESPACE, isUuidNamespace } from '../core/ids';
import { extensionLib } from './support/calling-convention';

/**
 * cht:extension-lib('fhir-id.js', /data/meta/instanceID, 'Observation/weight' [, namespace])
 * A deterministic UUID: a recalculation never mints a new id.
 */
export default extensionLib((key, role, namespace) => {
  const k = key.text();
  const r = role.text();
  if (!k || !r) return '';
  const ns = namespace.text();
  return stableId(isUuidNamespace(ns) ? ns : DEFAULT_NAMESPACE, r, k);
});
