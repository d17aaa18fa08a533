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
  const name = role + '/' + key;
  const memo = namespace + ' ' + name;
  let id = seen.get(memo);
  if (id === undefined) {
    // uuid hashes UTF-8 via encodeURIComponent, which throws on a lone surrogate.
    id = uuidv5(clean(name), namespace);
    if (seen.size >= 4096) seen.clear();
    seen.set(memo, id);
  }
  return id;
}

/**
 * One bundle names the same patient, encounter and health worker dozens of
 * times; SHA-1 in plain JS is most of the mapping's cost in a fresh sandbox.
 */
const seen = new Map<string, string>();
