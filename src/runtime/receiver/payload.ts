import type { Bundle, BundleEntry, FhirResource, OperationOutcomeIssue } from 'fhir/r4';
import { validateR4 } from '../../fhir-validation';
import { structureIssue } from '../../fhir-validation/issues';
import { HttpError, outcomeOf } from './failure';
import { FHIR_ID } from '../../core/ids';
import { isObject } from '../../core/values';
import { literalReferences } from './urn-references';

/** Enough for a household with its members and a visit; bigger pushes are a config mistake. */
export const MAX_ENTRIES = 200;
const ID = new RegExp(`^${FHIR_ID}$`);

/** One resource to store: its type, id and content, references already literal (`Patient/<id>`). */
export interface PushedResource {
  type: string;
  id: string;
  resource: FhirResource;
}

/**
 * Turns a push body into the resources to store, or throws a 400 listing
 * every problem. CHT sends `{"bundle": Bundle}` (outbound cannot address the
 * payload root); other clients send the Bundle itself.
 */
export function readPush(body: unknown): PushedResource[] {
  const bundle = unwrap(body);
  const issues = checkContract(bundle);
  if (!issues.length) issues.push(...validateR4(bundle));
  if (issues.length) throw refusal(bundle, issues);
  return toLiteralReferences(bundle as Bundle<FhirResource>);
}

const ENTRY = /^Bundle\.entry\[(\d+)\]/;

/**
 * The 400 for a refused push: the issues, then one issue per refused entry
 * naming it (`expression` `Bundle.entry[i]`, text `Type/id refused`), so a
 * client can set exactly those aside and send the rest. An issue outside any
 * entry (e.g. `Bundle.type`) refuses the push as a whole.
 */
function refusal(bundle: unknown, issues: OperationOutcomeIssue[]): HttpError {
  const entries = isObject(bundle) && Array.isArray(bundle.entry) ? (bundle.entry as unknown[]) : [];
  const refused = new Set<number>();
  for (const issue of issues) for (const e of issue.expression ?? []) if (ENTRY.test(e)) refused.add(Number(ENTRY.exec(e)![1]));
  const named = [...refused]
    .sort((a, b) => a - b)
    .map((i) => {
      const r =
        isObject(entries[i]) && isObject((entries[i] as Record<string, unknown>).resource)
          ? ((entries[i] as Record<string, unknown>).resource as Record<string, unknown>)
          : {};
      return structureIssue(`Bundle.entry[${i}]`, `${String(r.resourceType)}/${String(r.id)} refused`, 'invalid');
    });
  return new HttpError(400, outcomeOf([...issues, ...named]));
}

function unwrap(body: unknown): unknown {
  if (isObject(body)) {
    const keys = Object.keys(body);
    if (keys.length === 1 && keys[0] === 'bundle') return body.bundle;
    if (body.resourceType === 'Bundle') return body;
  }
  throw new HttpError(400, outcomeOf([structureIssue('(body)', 'Expected {"bundle": <Bundle>} or a FHIR Bundle', 'structure')]));
}

/** The push contract on top of R4: a transaction of PUTs with client ids, urn:uuid fullUrls. */
function checkContract(bundle: unknown): OperationOutcomeIssue[] {
  if (!isObject(bundle) || bundle.resourceType !== 'Bundle') return [structureIssue('Bundle', 'The payload must be a FHIR Bundle', 'structure')];
  if (bundle.type !== 'transaction') return [structureIssue('Bundle.type', `Bundle.type must be "transaction", got ${JSON.stringify(bundle.type)}`, 'value')];
  const entries = bundle.entry;
  if (!Array.isArray(entries) || entries.length === 0) return [structureIssue('Bundle.entry', 'The Bundle has no entries', 'required')];
  if (entries.length > MAX_ENTRIES) return [structureIssue('Bundle.entry', `More than ${MAX_ENTRIES} entries`, 'too-costly')];
  const issues: OperationOutcomeIssue[] = [];
  const seen = new Set<string>();
  entries.forEach((entry: unknown, i) => {
    const at = `Bundle.entry[${i}]`;
    const r = isObject(entry) && isObject(entry.resource) ? entry.resource : undefined;
    if (!isObject(entry) || !r) return void issues.push(structureIssue(`${at}.resource`, 'Each entry needs a resource', 'required'));
    const { id, resourceType: type } = r;
    if (typeof id !== 'string' || !ID.test(id))
      return void issues.push(structureIssue(`${at}.resource.id`, 'Each resource needs a client id (FHIR id syntax)', 'required'));
    if (entry.fullUrl !== `urn:uuid:${id}`) issues.push(structureIssue(`${at}.fullUrl`, `fullUrl must be "urn:uuid:${id}"`, 'value'));
    const req = isObject(entry.request) ? entry.request : {};
    if (req.method !== 'PUT' || req.url !== `${String(type)}/${id}`)
      issues.push(structureIssue(`${at}.request`, `request must be PUT ${String(type)}/${id}`, 'value'));
    if (seen.has(`${String(type)}/${id}`)) issues.push(structureIssue(`${at}.resource.id`, `${String(type)}/${id} appears twice`, 'duplicate'));
    seen.add(`${String(type)}/${id}`);
  });
  return issues;
}

/**
 * Rewrites `urn:uuid:<id>` references to `<Type>/<id>`, in place (the body
 * was parsed for this request alone): the ids are the client's, so both name
 * the same resource, and a literal reference keeps working when only some
 * entries are sent on (the unchanged ones are not). A urn:uuid that names no
 * entry is an error (it could never resolve).
 */
function toLiteralReferences(bundle: Bundle<FhirResource>): PushedResource[] {
  const byUrn = new Map<string, string>();
  for (const e of bundle.entry as BundleEntry<FhirResource>[]) byUrn.set(e.fullUrl as string, `${e.resource!.resourceType}/${e.resource!.id}`);
  const dangling: OperationOutcomeIssue[] = [];
  const out = (bundle.entry as BundleEntry<FhirResource>[]).map((e, i) => {
    const resource = e.resource as FhirResource;
    literalReferences(resource, byUrn, () => `Bundle.entry[${i}].resource`, dangling);
    return { type: resource.resourceType, id: resource.id as string, resource };
  });
  if (dangling.length) throw refusal(bundle, dangling);
  return out;
}
