import type { Bundle, Identifier } from 'fhir/r4';
import { FhirUnavailable, type FhirCall, type FhirClient } from '../receiver/fhir-client';
import { FHIR_ID } from '../core/ids';

/**
 * From a FHIR reference to the CHT `_id` it stands for, by the identifier the
 * outbound side minted: on the reference itself, or on the target resource
 * read from the FHIR server (one batch GET).
 */
const LITERAL_REF = new RegExp(`^([A-Za-z]+)/(${FHIR_ID})$`);

export async function resolveChtId(ref: unknown, kind: string, chtIdSystem: string, fhir: FhirClient, deadline: number, calls: FhirCall[]): Promise<string | undefined> {
  if (!ref || typeof ref !== 'object') return undefined;
  const r = ref as { reference?: unknown; identifier?: Identifier };
  if (r.identifier?.system === chtIdSystem && typeof r.identifier.value === 'string' && r.identifier.value) return r.identifier.value;
  const kinds = kind === 'Patient' ? ['Patient'] : ['Organization', 'Location'];
  const m = typeof r.reference === 'string' ? LITERAL_REF.exec(r.reference) : null;
  if (!m || !kinds.includes(m[1])) return undefined;
  const batch: Bundle = { resourceType: 'Bundle', type: 'batch', entry: [{ request: { method: 'GET', url: `${m[1]}/${m[2]}` } }] };
  const call = await fhir.postBundle(`Find ${m[1]}/${m[2]}`, batch, deadline, calls);
  if (!call.status || call.status >= 500) throw new FhirUnavailable('network', `FHIR server answered ${call.status} to a lookup`);
  let answer: Bundle | undefined;
  try {
    answer = JSON.parse(call.responseBody ?? '');
  } catch {
    return undefined;
  }
  const target = answer?.entry?.[0]?.resource as { identifier?: Identifier[] } | undefined;
  return target?.identifier?.find((i) => i.system === chtIdSystem)?.value;
}
