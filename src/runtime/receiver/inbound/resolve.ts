import type { Bundle, Identifier, Resource } from 'fhir/r4';
import { FhirUnavailable, responseJson, type Scope, type FhirClient } from '../fhir-client';
import type { ChtClient } from './cht-client';
import { chtIdFromFhir } from '../../../core/identity';
import { FHIR_ID } from '../../../core/ids';

/**
 * From a FHIR reference to the CHT `_id` it stands for. A reference may name
 * the resource (`Patient/<id>`) or carry an identifier; every identity a
 * person has resolves: its CHT `_id` (cht-uuid), its CHT shortcode
 * (cht-patient-id, through CHT's contacts_by_reference view), the FHIR id a
 * clinic gave it (the CHT doc `fhir.Patient.<id>`, one GET), or any other
 * identifier the FHIR server knows it by (one search there).
 */
const LITERAL_REF = new RegExp(`^([A-Za-z]+)/(${FHIR_ID})$`);

export interface ResolveContext {
  kinds: string[];
  systems: { chtId: string; shortcode: string };
  cht: ChtClient;
  fhir: FhirClient;
  scope: Scope;
}

/** The CHT `_id`, and the FHIR server's resource when that is how it was found (CHT may not have it yet). */
export interface Resolved {
  chtId: string;
  target?: Resource;
}

export async function resolveChtId(ref: unknown, c: ResolveContext): Promise<Resolved | undefined> {
  if (!ref || typeof ref !== 'object') return undefined;
  const r = ref as { reference?: unknown; identifier?: Identifier };
  const byIdentifier = await fromIdentifiers(r.identifier ? [r.identifier] : [], c);
  if (byIdentifier) return { chtId: byIdentifier };
  const m = typeof r.reference === 'string' ? LITERAL_REF.exec(r.reference) : null;
  const [, kind = '', id = ''] = m ?? [];
  if (!m || !c.kinds.includes(kind)) {
    if (!r.identifier?.system || !r.identifier.value) return undefined;
    return fromTarget(await fhirGet(`${c.kinds[0]}?identifier=${encodeURIComponent(`${r.identifier.system}|${r.identifier.value}`)}`, c), c);
  }
  const fromClinic = chtIdFromFhir(kind, id);
  if (await c.cht.getDoc(fromClinic, c.scope.deadline)) return { chtId: fromClinic };
  return fromTarget(await fhirGet(`${kind}/${id}`, c), c);
}

async function fromIdentifiers(ids: Identifier[], c: ResolveContext): Promise<string | undefined> {
  for (const i of ids) {
    if (typeof i?.value !== 'string' || !i.value) continue;
    if (i.system === c.systems.chtId) return i.value;
    if (i.system === c.systems.shortcode) return c.cht.byShortcode(i.value, c.scope.deadline);
  }
  return undefined;
}

async function fromTarget(target: Resource | undefined, c: ResolveContext): Promise<Resolved | undefined> {
  if (!target?.id) return undefined;
  const chtId = (await fromIdentifiers((target as { identifier?: Identifier[] }).identifier ?? [], c)) ?? chtIdFromFhir(target.resourceType, target.id);
  return { chtId, target };
}

/** One read or search on the FHIR server (a batch of one GET); the first resource found. */
async function fhirGet(url: string, c: ResolveContext): Promise<Resource | undefined> {
  const batch: Bundle = { resourceType: 'Bundle', type: 'batch', entry: [{ request: { method: 'GET', url } }] };
  const call = await c.fhir.postBundle(`Find ${url.split('?')[0]}`, batch, c.scope);
  if (!call.status || call.status >= 500) throw new FhirUnavailable('network', `FHIR server answered ${call.status} to a lookup`);
  const answer = responseJson(call) as Bundle | undefined;
  // Only a batch-response says "found" or "not found"; anything else (401/403: our credentials, a proxy's page) is
  // the receiver failing to look, never the sender's unknown patient.
  const entryStatus = parseInt(answer?.entry?.[0]?.response?.status ?? '', 10);
  if (call.status !== 200 || answer?.resourceType !== 'Bundle' || !answer.entry?.length || (entryStatus >= 300 && entryStatus !== 404 && entryStatus !== 410)) {
    const status = call.status !== 200 ? call.status : entryStatus;
    const why =
      status === 401 || status === 403
        ? "refused the receiver's credentials (set FHIR_USERNAME and FHIR_PASSWORD)"
        : `answered ${status || 'something that is not a batch-response'}`;
    throw new FhirUnavailable('network', `FHIR server ${why} while looking up ${url.split('?')[0]}`);
  }
  const found = answer.entry[0]!.resource;
  return found?.resourceType === 'Bundle' ? (found as Bundle).entry?.[0]?.resource : found;
}
