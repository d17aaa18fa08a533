import type { Resource } from 'fhir/r4';
import type { InboundDeps } from './deps';
import { plan, type WritePlan } from './plan';
import { recordDoc, type ChtDoc, type JsonForm } from './cht-docs';
import { ChtUnavailable } from './cht-client';
import { resolveChtId } from './resolve';
import { Refused } from '../failure';
import { assertParentAllowed, newPersonDoc, typeOf, typeProperties, updatedPersonDoc } from './person-doc';
import type { Scope } from '../fhir-client';
import { systems } from '../../../core/identity';
import { own } from '../../../core/values';
import { validateR4 } from '../../../fhir-validation';

/**
 * The CHT writes of one inbound resource. Its CHT doc has a known `_id`
 * (plan.chtId), so finding it is one GET whatever the size of the database;
 * a resend of the same version, or a version that changes nothing CHT keeps,
 * writes nothing. Every write is a CouchDB PUT carrying the `_rev` it read:
 * when someone else wrote the doc in between (CouchDB 409), it is read again
 * and the write decided again, a few times, before the sender is told to
 * retry later.
 *
 * Request statuses (ServiceRequest.status) and their effect on the record
 * and its follow-up task (tasks.js reads `fields.fhir_status`):
 * - active: creates the record, or updates it; the task is open;
 * - on-hold, draft, unknown: updates an existing record (task hidden until
 *   active again); creates nothing;
 * - completed: closes the record; its task counts as done;
 * - revoked, entered-in-error: closes the record; its task is removed.
 * Other resources (a clinic's Task or Encounter answering a referral) are
 * news whatever their status: any status but draft and entered-in-error
 * creates the record (a completed Task is the outcome itself).
 */
export interface Written {
  status: number;
  text: string;
  effect: 'created' | 'updated' | 'duplicate' | 'unchanged' | 'ignored';
}

/** Statuses under which a request with no CHT record yet gets one. */
const CREATES = new Set([undefined, 'active']);
/** Resources whose status is a request's lifecycle (request-status): the rules above. */
const REQUESTS = new Set(['ServiceRequest', 'MedicationRequest', 'DeviceRequest', 'CarePlan', 'RequestGroup', 'NutritionOrder']);

function creates(resource: string | undefined, status: string | undefined): boolean {
  if (resource && !REQUESTS.has(resource)) return status !== 'draft' && status !== 'entered-in-error';
  return CREATES.has(status);
}
/** Reads and writes of one doc before a conflict goes back to the sender as "retry later". */
const ATTEMPTS = 3;

export async function writeRecord(p: WritePlan, form: JsonForm, deps: InboundDeps, scope: Scope): Promise<Written> {
  const code = (p.mapping.def.form as string).toUpperCase();
  let patient: string | undefined;
  return retrying(p, async () => {
    const existing = await deps.cht.getDoc(p.chtId, scope.deadline);
    const stored = existing?.fields as Record<string, unknown> | undefined;
    const same = sameOrOlder(stored?.fhir_version, p.version);
    if (existing && same) return { status: 200, text: `${same}: CHT record ${p.chtId} has ${String(stored?.fhir_version)}`, effect: 'duplicate' };
    if (!existing && !creates(p.mapping.def.resource, p.status))
      return { status: 200, text: `${p.source} is ${p.status} and has no CHT record: nothing to create or close`, effect: 'ignored' };
    patient ??= (await contact(p.patientRef, 'patient', deps, scope))._id;
    const data = { ...p.values, patient_uuid: patient, fhir_source: p.source, fhir_version: p.version, ...(p.status ? { fhir_status: p.status } : {}) };
    const reported = p.clinicalTime ?? (existing?.reported_date as number | undefined) ?? Date.now();
    if (!(await deps.cht.putDoc(recordDoc(p.chtId, code, form, data, reported, existing), scope.deadline))) return undefined;
    const closed = p.status && !creates(p.mapping.def.resource, p.status) ? ` (${p.status})` : '';
    return existing
      ? { status: 200, text: `Updated CHT record ${p.chtId} (${code}) to ${p.version}${closed}`, effect: 'updated' }
      : { status: 201, text: `Created CHT record ${p.chtId} (${code}) for patient ${patient}`, effect: 'created' };
  });
}

export async function writeContact(p: WritePlan, deps: InboundDeps, scope: Scope): Promise<Written> {
  const type = p.mapping.def.contact_type ?? 'person';
  const typeProps = typeProperties(deps.hierarchy, type);
  const fhirFields = { fhir_source: p.source, fhir_version: p.version, ...(p.identifiers.length ? { fhir_identifiers: p.identifiers } : {}) };
  let place: ChtDoc | undefined;
  return retrying(p, async () => {
    const existing = await deps.cht.getDoc(p.chtId, scope.deadline);
    const same = sameOrOlder(existing?.fhir_version, p.version);
    if (existing && same) return { status: 200, text: `${same}: CHT contact ${p.chtId} has ${String(existing.fhir_version)}`, effect: 'duplicate' };
    place ??= await contact(p.parentRef, 'parent', deps, scope);
    if (!existing) {
      assertParentAllowed(deps.hierarchy, type, place);
      const doc = newPersonDoc(p.chtId, typeProps, place, p.values, fhirFields, p.source, Date.now());
      if (!(await deps.cht.putDoc(doc, scope.deadline))) return undefined;
      return { status: 201, text: `Created CHT contact ${p.chtId} in place ${place._id}`, effect: 'created' };
    }
    const parentNow = (existing.parent as { _id?: string } | undefined)?._id;
    if (parentNow !== place._id)
      throw new Refused(
        'business-rule',
        `${p.source} moves the person from place ${parentNow} to ${place._id}: moving a contact changes the lineage of everything under it; move it in CHT (cht-conf move-contacts)`,
        [`${p.source.split('/')[0]}.${p.mapping.def.parent}`],
        true,
      );
    const mapped = Object.keys(p.mapping.def.fields);
    if (mapped.every((k) => existing[k] === p.values[k]) && sameIdentifiers(existing.fhir_identifiers, p.identifiers)) {
      return { status: 200, text: `${p.source} ${p.version} changes nothing CHT keeps for contact ${p.chtId}`, effect: 'unchanged' };
    }
    if (!(await deps.cht.putDoc(updatedPersonDoc(existing, mapped, p.values, fhirFields, p.source), scope.deadline))) return undefined;
    return { status: 200, text: `Updated CHT contact ${p.chtId} to ${p.version}`, effect: 'updated' };
  });
}

/** Runs one read-decide-write; `undefined` means CouchDB refused the write as stale (409): read and decide again. */
async function retrying(p: WritePlan, attempt: () => Promise<Written | undefined>): Promise<Written> {
  for (let i = 0; i < ATTEMPTS; i++) {
    const done = await attempt();
    if (done) return done;
  }
  throw new ChtUnavailable(`CHT doc ${p.chtId} kept changing while ${p.source} was written (${ATTEMPTS} conflicts)`, 1);
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

/**
 * The CHT contact a reference points at, checked to exist in CHT and be of
 * the right kind. A patient the FHIR server knows and CHT does not yet (a
 * clinic registered them, then referred them) is created first, through the
 * inbound mapping that takes Patients.
 */
async function contact(ref: unknown, what: 'patient' | 'parent', deps: InboundDeps, scope: Scope): Promise<ChtDoc> {
  const sys = systems(deps.deployment);
  const kinds = what === 'patient' ? ['Patient'] : ['Organization', 'Location'];
  const found = await resolveChtId(ref, {
    kinds,
    systems: { chtId: sys.chtId, shortcode: what === 'patient' ? sys.patientId : sys.placeId },
    cht: deps.cht,
    fhir: deps.fhir,
    scope,
  });
  if (!found)
    throw new Refused(
      'not-found',
      `The ${what} reference does not lead to a contact CHT knows (by id, ${sys.chtId}, ${sys.patientId} or an identifier the FHIR server has)`,
    );
  let doc = await deps.cht.getDoc(found.chtId, scope.deadline);
  if ((!doc || doc._deleted) && what === 'patient' && found.target) doc = await createFromFhir(found.target, deps, scope);
  if (!doc || doc._deleted) throw new Refused('not-found', `The ${what} ${found.chtId} is not in CHT`);
  const type = typeOf(doc);
  const kind = type === undefined ? undefined : own(deps.contactTypes, type);
  const wanted = what === 'patient' ? kind === 'Patient' || kind === 'Practitioner' : kind === 'Place';
  if (!wanted) throw new Refused('invalid', `The ${what} ${found.chtId} is not a ${what === 'patient' ? 'person' : 'place'} in CHT`);
  return doc;
}

/** The person a FHIR server's Patient becomes, written as if the clinic had sent it; undefined when no mapping takes it. */
async function createFromFhir(target: Resource, deps: InboundDeps, scope: Scope): Promise<ChtDoc | undefined> {
  const self = `${target.resourceType}/${target.id ?? ''}`;
  const cannot = (why: string) => new Refused('not-found', `The patient is not in CHT, and the FHIR server's ${self} cannot become a CHT person: ${why}`);
  const issues = validateR4(target);
  if (issues.length) throw cannot(`it is not valid R4 (${issues[0]!.diagnostics ?? issues[0]!.code})`);
  let p;
  try {
    p = plan(deps.mappings, target, deps.deployment);
  } catch (e) {
    throw e instanceof Refused ? cannot(e.message) : e;
  }
  if (p.kind !== 'write' || p.mapping.def.write !== 'person') return undefined;
  const person = p;
  await deps.locks.run([person.source], () => writeContact(person, deps, scope));
  return deps.cht.getDoc(person.chtId, scope.deadline);
}
