import type { IncomingMessage } from 'node:http';
import type { OperationOutcome, Bundle, CapabilityStatement } from 'fhir/r4';
import { handleInbound } from './handle';
import type { InboundDeps } from './deps';
import { handleBundle } from './handle-bundle';
import { capabilityStatement } from './metadata';
import { inboundForms } from './deps';
import { HttpError, outcome } from '../failure';
import type { Scope } from '../fhir-client';
import type { Logger } from '../log';

/** The FHIR surface under /fhir: metadata, Bundles at the base, one resource at /fhir/<Type>[/<id>]. */
export async function routeInbound(
  req: IncomingMessage,
  path: string,
  body: unknown,
  deps: InboundDeps,
  scope: Scope,
): Promise<{ status: number; body: OperationOutcome | Bundle | CapabilityStatement; headers?: Record<string, string>; fields?: Record<string, unknown> }> {
  if (path === '/fhir/metadata') {
    if (req.method !== 'GET') throw new HttpError(405, outcome('error', 'not-supported', `${req.method} not allowed on ${path}`), { allow: 'GET' });
    return { status: 200, body: capabilityStatement(deps.mappings, STARTED) };
  }
  if (path === '/fhir' || path === '/fhir/') {
    if (req.method !== 'POST')
      throw new HttpError(405, outcome('error', 'not-supported', `${req.method} not allowed on /fhir; POST a batch or transaction Bundle`), { allow: 'POST' });
    const answer = await handleBundle(body, deps, scope);
    return { ...answer, fields: { inbound: 'bundle', entries: answer.body.entry?.length ?? 0 } };
  }
  const ifNoneExist = req.headers['if-none-exist'];
  const a = await handleInbound(req.method ?? 'GET', path, body, deps, scope, typeof ifNoneExist === 'string' ? ifNoneExist : undefined);
  return { status: a.status, body: a.body, fields: a.fields, headers: { ...a.headers, ...(a.location && a.status === 201 ? { location: a.location } : {}) } };
}

const STARTED = new Date().toISOString();

/** At start-up: does CHT have the JSON form of every inbound report mapping? Logged; never stops the receiver. */
export async function checkInboundForms(deps: InboundDeps, deadlineMs: number, log: Logger): Promise<string[] | undefined> {
  try {
    const missing = await deps.forms.missing(inboundForms(deps), Date.now() + deadlineMs);
    if (missing.length)
      log('error', 'CHT lacks inbound JSON forms: records for them are refused until they are added', { missing: missing.map((c) => `Form not found: ${c}`) });
    return missing;
  } catch (e) {
    log('warn', 'could not check CHT for the inbound JSON forms; checked again on the first inbound record', { error: (e as Error).message });
    return undefined;
  }
}
