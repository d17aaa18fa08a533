import type { OperationOutcome, Resource } from 'fhir/r4';
import type { InboundMapping } from './definitions';
import { ChtRefused, ChtUnavailable, type ChtClient } from './cht-client';
import { plan } from './plan';
import { resolveChtId } from './resolve';
import { validateR4 } from '../fhir-validation';
import { fail, HttpError, outcome, outcomeOf } from '../receiver/outcome';
import type { FhirClient, FhirCall } from '../receiver/fhir-client';
import { FhirUnavailable } from '../receiver/fhir-client';
import type { KeyLock } from '../receiver/key-lock';
import { contactType } from '../core/contacts';
import { own } from '../core/values';
import { FHIR_ID } from '../core/ids';

/**
 * FHIR -> CHT for one incoming resource (`POST /fhir/<Type>` or
 * `PUT /fhir/<Type>/<id>`): validate, pick the mapping, find the CHT contact
 * it belongs to, and make exactly one CHT write per resource version.
 * Answers: 201 written, 200 already written or nothing to do, 4xx with the
 * reason when the resource cannot be placed, 5xx when CHT or the FHIR server
 * is unreachable (OpenHIM retries the transaction).
 */
export interface InboundDeps {
  mappings: InboundMapping[];
  cht: ChtClient;
  fhir: FhirClient;
  locks: KeyLock;
  /** The identifier system of CHT `_id`s (outbound side): how a FHIR subject is found in CHT. */
  chtIdSystem: string;
  /** Contact type -> person or place, from app settings contact_types. */
  contactTypes: Record<string, 'Patient' | 'Practitioner' | 'Place'>;
}

export interface InboundAnswer {
  status: number;
  body: OperationOutcome;
  fields: Record<string, unknown>;
}

const PATH = new RegExp(`^/fhir/([A-Z][A-Za-z]+)(?:/(${FHIR_ID}))?/?$`);

export function isInboundPath(path: string): boolean {
  return path === '/fhir' || path.startsWith('/fhir/');
}

export async function handleInbound(method: string, path: string, body: unknown, deps: InboundDeps, deadline: number, calls: FhirCall[]): Promise<InboundAnswer> {
  const m = PATH.exec(path);
  if (!m) throw fail(404, 'not-found', `No FHIR endpoint at ${path.slice(0, 200)}; use POST /fhir/<Type> or PUT /fhir/<Type>/<id>`);
  const [, type, id] = m;
  if (!(method === 'POST' && !id) && !(method === 'PUT' && id)) throw new HttpError(405, outcome('error', 'not-supported', `${method} not allowed on ${path}`), { allow: id ? 'PUT' : 'POST' });
  const resource = body as Resource;
  if (!resource || typeof resource !== 'object' || Array.isArray(resource)) throw fail(400, 'structure', 'The body must be a FHIR resource (a JSON object)');
  if (resource.resourceType !== type) throw fail(400, 'invalid', `The body is a ${String(resource.resourceType)}, the URL says ${type}`, ['resourceType']);
  if (id && resource.id !== id) throw fail(400, 'invalid', `The body's id '${String(resource.id)}' does not match the URL's '${id}'`, ['id']);
  if (!resource.id) throw fail(422, 'required', 'The resource needs an id: it keys the one CHT write it makes', ['id']);
  const issues = validateR4(resource);
  if (issues.length) throw new HttpError(422, outcomeOf(issues));

  const p = plan(deps.mappings, resource, deps.chtIdSystem);
  if (p.kind === 'ignore') return { status: 200, body: outcome('information', 'informational', p.reason), fields: { inbound: 'ignored' } };

  try {
    return await deps.locks.run([p.key], async () => {
      const def = p.mapping.def;
      if (def.write === 'report') {
        const code = (def.form as string).toUpperCase();
        const [existing] = await deps.cht.find({ type: 'data_record', form: code, 'fields.fhir_source': p.key }, deadline);
        if (existing) return done(200, `Already in CHT as record ${String(existing._id)}`, { inbound: 'duplicate', chtId: existing._id });
        const patient = await contact(p.patientRef, 'Patient', 'patient', deps, deadline, calls, (d) => kindOf(d, deps) === 'person');
        const recordId = await deps.cht.createRecord({ _meta: { form: code }, ...p.values, patient_uuid: patient, fhir_source: p.key }, deadline);
        return done(201, `Created CHT record ${recordId} (${code}) for patient ${patient}`, { inbound: 'created', chtId: recordId, mapping: def.name });
      }
      const [existing] = await deps.cht.find({ fhir_source: p.key }, deadline);
      if (existing) return done(200, `Already in CHT as contact ${String(existing._id)}`, { inbound: 'duplicate', chtId: existing._id });
      const place = await contact(p.parentRef, 'Organization', 'parent', deps, deadline, calls, (d) => kindOf(d, deps) === 'place');
      const type = def.contact_type ?? 'person';
      const builtIn = type === 'person';
      const personId = await deps.cht.createPerson({ ...p.values, ...(builtIn ? { type } : { type: 'contact', contact_type: type }), place, fhir_source: p.key }, deadline);
      return done(201, `Created CHT contact ${personId} in place ${place}`, { inbound: 'created', chtId: personId, mapping: def.name });
    });
  } catch (e) {
    if (e instanceof HttpError) throw e;
    if (e instanceof ChtUnavailable) throw fail(502, 'transient', `${e.message}; nothing was written, retry later`);
    if (e instanceof ChtRefused) throw fail(422, 'processing', e.message);
    if (e instanceof FhirUnavailable) throw fail(e.kind === 'timeout' ? 504 : 502, 'transient', `${e.message}; nothing was written, retry later`);
    throw e;
  }
}

function done(status: number, text: string, fields: Record<string, unknown>): InboundAnswer {
  return { status, body: outcome('information', 'informational', text), fields };
}


function kindOf(doc: Record<string, unknown>, deps: InboundDeps): 'person' | 'place' | undefined {
  const type = contactType(doc);
  const kind = type === undefined ? undefined : own(deps.contactTypes, type);
  return kind === undefined ? undefined : kind === 'Place' ? 'place' : 'person';
}

/** The CHT contact a reference points at, checked to exist in CHT and be of the right kind. */
async function contact(ref: unknown, kind: 'Patient' | 'Organization', what: string, deps: InboundDeps, deadline: number, calls: FhirCall[], ok: (d: Record<string, unknown>) => boolean): Promise<string> {
  const chtId = await resolveChtId(ref, kind, deps.chtIdSystem, deps.fhir, deadline, calls);
  if (!chtId) throw fail(422, 'not-found', `The ${what} reference does not lead to a contact cht-fhir knows (no identifier of system ${deps.chtIdSystem})`);
  const doc = await deps.cht.getDoc(chtId, deadline);
  if (!doc || doc._deleted) throw fail(422, 'not-found', `The ${what} ${chtId} is not in CHT`);
  if (!ok(doc)) throw fail(422, 'invalid', `The ${what} ${chtId} is not a ${what === 'patient' ? 'person' : 'place'} in CHT`);
  return chtId;
}
