import type { OperationOutcome, Resource } from 'fhir/r4';
import { idFromIdentifier, plan } from './plan';
import { writeContact, writeRecord, type Written } from './write';
import type { InboundDeps } from './deps';
export type { InboundDeps };
import { validateR4 } from '../../../fhir-validation';
import { fail, HttpError, outcome, outcomeOf } from '../failure';
import type { Scope } from '../fhir-client';
import { FHIR_ID } from '../../../core/ids';

/**
 * FHIR -> CHT for one incoming resource (`POST /fhir/<Type>` or
 * `PUT /fhir/<Type>/<id>`): validate as R4 before any CHT call, pick the
 * mapping, and create, update or close the one CHT doc made from it.
 * Answers: 201 created, 200 updated / already up to date / nothing to do,
 * 4xx with the reason when the resource cannot be placed (nothing written),
 * 502/503/504 when CHT or the FHIR server cannot be reached now (OpenHIM
 * retries; 503 carries Retry-After).
 */

export interface InboundAnswer {
  status: number;
  body: OperationOutcome;
  fields: Record<string, unknown>;
  headers?: Record<string, string>;
  /** `<Type>/<id>` of the resource taken (for Bundle responses). */
  location?: string;
}

const PATH = new RegExp(`^/fhir/([A-Z][A-Za-z]+)(?:/(${FHIR_ID}))?/?$`);

export function isInboundPath(path: string): boolean {
  return path === '/fhir' || path.startsWith('/fhir/');
}

export async function handleInbound(
  method: string,
  path: string,
  body: unknown,
  deps: InboundDeps,
  scope: Scope,
  ifNoneExist?: string,
): Promise<InboundAnswer> {
  const m = PATH.exec(path);
  if (!m)
    throw fail(
      404,
      'not-found',
      `No FHIR endpoint at ${path.slice(0, 200)}; use POST /fhir/<Type>, PUT /fhir/<Type>/<id>, POST /fhir (Bundle) or GET /fhir/metadata`,
    );
  const type = m[1]!;
  const id = m[2];
  if (!(method === 'POST' && !id) && !(method === 'PUT' && id))
    throw new HttpError(405, outcome('error', 'not-supported', `${method} not allowed on ${path}`), { allow: id ? 'PUT' : 'POST' });
  return takeResource(type, id, body, deps, scope, ifNoneExist);
}

/** Checks everything that needs no I/O; the resource, with its id, ready to write. */
export function checkResource(type: string, urlId: string | undefined, body: unknown, deps: InboundDeps, ifNoneExist?: string): Resource {
  const resource = body as Resource;
  if (!resource || typeof resource !== 'object' || Array.isArray(resource)) throw fail(400, 'structure', 'The body must be a FHIR resource (a JSON object)');
  if (resource.resourceType !== type)
    throw fail(400, 'invalid', `The body is a ${String(resource.resourceType).slice(0, 60)}, the URL says ${type}`, ['resourceType']);
  if (urlId && resource.id !== urlId)
    throw fail(400, 'invalid', `The body's id '${String(resource.id).slice(0, 80)}' does not match the URL's '${urlId}'`, ['id']);
  if (resource.id === undefined) {
    // POST without id: the business identifier (or If-None-Exist's) names the resource, so a resend is the same one.
    const wanted = ifNoneExist ? /^identifier=([^|]+)\|(.+)$/.exec(decodedHeader(ifNoneExist)) : null;
    const ids = wanted ? [{ system: wanted[1], value: wanted[2] }] : (resource as { identifier?: unknown }).identifier;
    const derived = idFromIdentifier(deps.deployment, type, ids);
    if (!derived)
      throw fail(
        422,
        'required',
        'A resource POSTed without an id needs an identifier (system and value) or an If-None-Exist: identifier=<system>|<value> header: it names the one CHT doc made from it',
        ['id'],
      );
    (resource as { id?: string }).id = derived;
  }
  const issues = validateR4(resource);
  if (issues.length) throw new HttpError(422, outcomeOf(issues));
  return resource;
}

export async function takeResource(
  type: string,
  urlId: string | undefined,
  body: unknown,
  deps: InboundDeps,
  scope: Scope,
  ifNoneExist?: string,
): Promise<InboundAnswer> {
  const resource = checkResource(type, urlId, body, deps, ifNoneExist);
  const location = `${resource.resourceType}/${resource.id}`;
  const p = plan(deps.mappings, resource, deps.deployment);
  if (p.kind === 'ignore') return { status: 200, body: outcome('information', 'informational', p.reason), fields: { inbound: 'ignored' }, location };
  const form = p.mapping.def.write === 'report' ? await deps.forms.form(p.mapping.def.form as string, scope.deadline) : undefined;
  const w: Written = await deps.locks.run([p.source], () => (form ? writeRecord(p, form, deps, scope) : writeContact(p, deps, scope)));
  return {
    status: w.status,
    body: outcome('information', 'informational', w.text),
    fields: { inbound: w.effect, chtId: p.chtId, mapping: p.mapping.def.name },
    location,
  };
}

/** A percent-encoded header value; a broken escape is the sender's mistake (400), not ours. */
function decodedHeader(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    throw fail(400, 'invalid', 'If-None-Exist is not percent-encoded correctly');
  }
}
