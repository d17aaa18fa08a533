import type { Bundle, BundleEntry, Encounter, FhirResource, Observation, Organization, Patient } from 'fhir/r4';
import { DEFAULT_NAMESPACE, stableId } from '../../src/core/ids';

/**
 * Test pushes shaped like the generated outbound ones: transaction Bundles of
 * PUTs with UUID v5 ids, urn:uuid references inside a bundle and literal
 * `<Type>/<id>` references to resources pushed separately. A "patient doc"
 * pushes its Patient; a "report doc" pushes an Encounter and two
 * Observations about a patient pushed by another doc (in any order).
 */
export interface PushDoc {
  docId: string;
  body: { bundle: Bundle<FhirResource> };
  /** `<Type>/<id>` of every resource this push stores. */
  keys: string[];
}

const id = (role: string, key: string) => stableId(DEFAULT_NAMESPACE, role, key);

function entry(resource: FhirResource & { id: string }): BundleEntry<FhirResource> {
  return { fullUrl: `urn:uuid:${resource.id}`, resource, request: { method: 'PUT', url: `${resource.resourceType}/${resource.id}` } };
}

function wrap(docId: string, resources: (FhirResource & { id: string })[]): PushDoc {
  return {
    docId,
    body: { bundle: { resourceType: 'Bundle', type: 'transaction', entry: resources.map(entry) } },
    keys: resources.map((r) => `${r.resourceType}/${r.id}`),
  };
}

export function patientDoc(n: number): PushDoc {
  const docId = `person-${n}`;
  const patient: Patient & { id: string } = {
    resourceType: 'Patient',
    id: id('Patient', docId),
    identifier: [{ system: 'https://cht.example.org/patient_id', value: String(10000 + n) }],
    name: [{ family: `Family${n % 97}`, given: [`Given${n}`] }],
    gender: n % 2 ? 'female' : 'male',
    birthDate: `19${String(50 + (n % 50)).padStart(2, '0')}-0${1 + (n % 9)}-1${n % 10}`,
    managingOrganization: { reference: `Organization/${id('Organization', `hc-${n % 7}`)}` },
  };
  return wrap(docId, [patient]);
}

/** The health centre `patientDoc(n)` points at for n % 7 === k (a server enforcing referential integrity needs it first). */
function organizationDoc(k: number): PushDoc {
  const docId = `hc-${k}`;
  const org: Organization & { id: string } = { resourceType: 'Organization', id: id('Organization', docId), name: `Health centre ${k}` };
  return wrap(docId, [org]);
}

/** Every organization `patientDoc` points at. */
export const organizationDocs = (): PushDoc[] => Array.from({ length: 7 }, (_x, k) => organizationDoc(k));

export function reportDoc(n: number): PushDoc {
  const docId = `report-${n}`;
  const patientRef = { reference: `Patient/${id('Patient', `person-${n}`)}` };
  const encounter: Encounter & { id: string } = {
    resourceType: 'Encounter',
    id: id('Encounter', docId),
    status: 'finished',
    class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'HH', display: 'home health' },
    subject: patientRef,
    period: { start: `2024-03-${String(1 + (n % 28)).padStart(2, '0')}T09:00:00Z` },
  };
  const obs = (role: string, loinc: string, value: number, unit: string): Observation & { id: string } => ({
    resourceType: 'Observation',
    id: id('Observation', `${docId}/${role}`),
    status: 'final',
    code: { coding: [{ system: 'http://loinc.org', code: loinc }] },
    subject: patientRef,
    encounter: { reference: `urn:uuid:${encounter.id}` },
    effectiveDateTime: encounter.period!.start,
    valueQuantity: { value, unit, system: 'http://unitsofmeasure.org', code: unit },
  });
  return wrap(docId, [encounter, obs('weight', '29463-7', 40 + (n % 50), 'kg'), obs('temperature', '8310-5', 36 + (n % 4), 'Cel')]);
}

/** `count` pushes, half patients and half their reports, in a shuffled order (reports often first). */
export function pushDocs(count: number, seed = 1): PushDoc[] {
  const docs: PushDoc[] = [];
  for (let n = 0; n < count / 2; n++) docs.push(patientDoc(n), reportDoc(n));
  const rand = mulberry32(seed);
  for (let i = docs.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [docs[i], docs[j]] = [docs[j], docs[i]];
  }
  return docs.slice(0, count);
}

export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
