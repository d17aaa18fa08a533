import { uuidv5 } from './uuid-v5';
import { clean } from './values';

/**
 * Stable FHIR ids. The same CHT doc and role always give the same UUID, on the
 * server and on every phone, so a retried push or a recalculated form never
 * mints a new resource.
 */

/** Default namespace; each deployment sets its own in app_settings/fhir/settings.json. */
export const DEFAULT_NAMESPACE = '7a4c3d7e-5f7b-4c4e-9a39-2c1f0e6a9b10';

/** The FHIR `id` datatype (R4): what every id, path segment and literal reference here must match. */
export const FHIR_ID = '[A-Za-z0-9\\-.]{1,64}';

/** A UUID in text (any case): the pattern every UUID check here is built from. */
export const UUID = '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}';

/** UUID v5 of `role/key` (e.g. `Patient/<_id>`) inside the deployment's namespace. */
export function stableId(namespace: string, role: string, key: string): string {
  // Lone surrogates have no UTF-8: hash U+FFFD in their place, as TextEncoder would.
  return uuidv5(clean(role + '/' + key), namespace);
}
