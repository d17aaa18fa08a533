import { v5 as uuidv5, validate as isUuid } from 'uuid';
import { clean } from './values';

/**
 * Stable FHIR ids. The same CHT doc and role always give the same UUID, on the
 * server and on every phone, so a retried push or a recalculated form never
 * mints a new resource.
 */

/** Default namespace; each deployment sets its own in app_settings/fhir/settings.json. */
export const DEFAULT_NAMESPACE = '7a4c3d7e-5f7b-4c4e-9a39-2c1f0e6a9b10';

export function isUuidNamespace(value: unknown): value is string {
  return typeof value === 'string' && isUuid(value);
}

/** UUID v5 of `role/key` (e.g. `Patient/<_id>`) inside the deployment's namespace. */
export function stableId(namespace: string, role: string, key: string): string {
  // uuid hashes UTF-8 via encodeURIComponent, which throws on a lone surrogate.
  return uuidv5(clean(role + '/' + key), namespace);
}
