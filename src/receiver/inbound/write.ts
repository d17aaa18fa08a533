import type { InboundDeps } from './deps';
import type { WritePlan } from './plan';
import { personBody, recordDoc, withoutDropped, type ChtDoc, type JsonForm } from './cht-docs';
import { ChtRefused, ChtUnavailable } from './cht-client';
import { resolveChtId } from './resolve';
import { Refused } from './refused';
import type { FhirCall } from '../fhir-client';
import { contactType } from '../../core/contacts';
import { systems } from '../../core/identity';
import { own } from '../../core/values';

/**
 * The CHT writes of one inbound resource. Its CHT doc has a known `_id`
 * (plan.chtId), so finding it is one GET whatever the size of the database;
 * a resend of the same version, or a version that changes nothing CHT keeps,
 * writes nothing.
 *
 * Request statuses (ServiceRequest.status) and their effect on the record
 * and its follow-up task (tasks.js reads `fields.fhir_status`):
 * - active: creates the record, or updates it; the task is open;
 * - on-hold, draft, unknown: updates an existing record (task hidden until
 *   active again); creates nothing;
 * - completed: closes the record; its task counts as done;
 * - revoked, entered-in-error: closes the record; its task is removed.
 */
export interface Written {
  status: number;
  text: string;
  effect: 'created' | 'updated' | 'duplicate' | 'unchanged' | 'ignored';
}

/** Statuses under which a resource with no CHT record yet gets one. */
const CREATES = new Set([undefined, 'active']);

export async function writeRecord(p: WritePlan, form: JsonForm, deps: InboundDeps, deadline: number, calls: FhirCall[]): Promise<Written> {
  const code = (p.mapping.def.form as string).toUpperCase();
  const existing = await deps.cht.getDoc(p.chtId, deadline);
  const stored = existing?.fields as Record<string, unknown> | undefined;
  const same = sameOrOlder(stored?.fhir_version, p.version);
  if (existing && same) return { status: 200, text: `${same}: CHT record ${p.chtId} has ${String(stored?.fhir_version)}`, effect: 'duplicate' };
  if (!existing && !CREATES.has(p.status))
    return { status: 200, text: `${p.source} is ${p.status} and has no CHT record: nothing to create or close`, effect: 'ignored' };
  const patient = await contact(p.patientRef, 'patient', deps, deadline, calls);
  const data = { ...p.values, patient_uuid: patient, fhir_source: p.source, fhir_version: p.version, ...(p.status ? { fhir_status: p.status } : {}) };
  const reported = p.clinicalTime ?? (existing?.reported_date as number | undefined) ?? Date.now();
  const doc = recordDoc(p.chtId, code, form, data, reported, existing);
  if (!(await deps.cht.putDoc(doc, deadline))) return conflict(p);
  const closed = p.status && !CREATES.has(p.status) ? ` (${p.status})` : '';
  return existing
    ? { status: 200, text: `Updated CHT record ${p.chtId} (${code}) to ${p.version}${closed}`, effect: 'updated' }
    : { status: 201, text: `Created CHT record ${p.chtId} (${code}) for patient ${patient}`, effect: 'created' };
}

export async function writeContact(p: WritePlan, deps: InboundDeps, deadline: number, calls: FhirCall[]): Promise<Written> {
  const existing = await deps.cht.getDoc(p.chtId, deadline);
  const same = sameOrOlder(existing?.fhir_version, p.version);
  if (existing && same) return { status: 200, text: `${same}: CHT contact ${p.chtId} has ${String(existing.fhir_version)}`, effect: 'duplicate' };
  const place = await contact(p.parentRef, 'parent', deps, deadline, calls);
  const type = p.mapping.def.contact_type ?? 'person';
  const source = { fhir_source: p.source, fhir_version: p.version, ...(p.identifiers.length ? { fhir_identifiers: p.identifiers } : {}) };
  if (!existing) {
    const body = personBody(p.chtId, type, place, p.values, source);
    const created = await createPerson(body, deps, deadline);
    return created ? { status: 201, text: `Created CHT contact ${p.chtId} in place ${place}`, effect: 'created' } : conflict(p);
  }
  const parentNow = (existing.parent as { _id?: string } | undefined)?._id;
  if (parentNow !== place)
    throw new Refused(
      'business-rule',
      `${p.source} moves the person from place ${parentNow} to ${place}: CHT's person API cannot change a parent; move the contact in CHT`,
      [`${p.source.split('/')[0]}.${p.mapping.def.parent}`],
      true,
    );
  const mapped = Object.keys(p.mapping.def.fields);
  if (mapped.every((k) => existing[k] === p.values[k]) && sameIdentifiers(existing.fhir_identifiers, p.identifiers)) {
    return { status: 200, text: `${p.source} ${p.version} changes nothing CHT keeps for contact ${p.chtId}`, effect: 'unchanged' };
  }
  const body = withoutDropped(personBody(p.chtId, type, place, p.values, source, existing), mapped, p.values);
  if (!p.identifiers.length) delete body.fhir_identifiers;
  if (!(await deps.cht.updatePerson(body, deadline))) return conflict(p);
  return { status: 200, text: `Updated CHT contact ${p.chtId} to ${p.version}`, effect: 'updated' };
}

/** POST /api/v1/person (CHT >= 5.2); on an older CHT (404) the same doc through CouchDB. */
async function createPerson(body: ChtDoc, deps: InboundDeps, deadline: number): Promise<boolean> {
  try {
    return await deps.cht.createPerson(body, deadline);
  } catch (e) {
    if (!(e instanceof ChtRefused) || e.status !== 404) throw e;
    const place = await deps.cht.getDoc(body.parent as string, deadline);
    const lineage = { _id: body.parent, ...(place?.parent ? { parent: place.parent } : {}) };
    return deps.cht.putDoc({ ...body, parent: lineage, reported_date: Date.now() }, deadline);
  }
}

/** Someone else wrote the doc between our read and our write: retrying reads it again. */
function conflict(p: WritePlan): never {
  throw new ChtUnavailable(`CHT doc ${p.chtId} changed while ${p.source} was written`, 1);
}

/** Why a version needs no write: the same one, or an older one (numeric versionIds). */
function sameOrOlder(stored: unknown, incoming: string): string | undefined {
  if (typeof stored !== 'string') return undefined;
  if (stored === incoming) return 'Already in CHT';
  const a = /^v(\d+)$/.exec(stored);
  const b = /^v(\d+)$/.exec(incoming);
  return a && b && Number(b[1]) < Number(a[1]) ? `An older version (${incoming}) than CHT has` : undefined;
}

function sameIdentifiers(stored: unknown, now: Array<{ system: string; value: string }>): boolean {
  return JSON.stringify(stored ?? []) === JSON.stringify(now);
}

/** The CHT contact a reference points at, checked to exist in CHT and be of the right kind. */
async function contact(ref: unknown, what: 'patient' | 'parent', deps: InboundDeps, deadline: number, calls: FhirCall[]): Promise<string> {
  const sys = systems(deps.deployment);
  const kinds = what === 'patient' ? ['Patient'] : ['Organization', 'Location'];
  const chtId = await resolveChtId(ref, {
    kinds,
    systems: { chtId: sys.chtId, shortcode: what === 'patient' ? sys.patientId : sys.placeId },
    cht: deps.cht,
    fhir: deps.fhir,
    deadline,
    calls,
  });
  if (!chtId)
    throw new Refused(
      'not-found',
      `The ${what} reference does not lead to a contact CHT knows (by id, ${sys.chtId}, ${sys.patientId} or an identifier the FHIR server has)`,
    );
  const doc = await deps.cht.getDoc(chtId, deadline);
  if (!doc || doc._deleted) throw new Refused('not-found', `The ${what} ${chtId} is not in CHT`);
  const type = contactType(doc);
  const kind = type === undefined ? undefined : own(deps.contactTypes, type);
  const wanted = what === 'patient' ? kind === 'Patient' || kind === 'Practitioner' : kind === 'Place';
  if (!wanted) throw new Refused('invalid', `The ${what} ${chtId} is not a ${what === 'patient' ? 'person' : 'place'} in CHT`);
  return chtId;
}
