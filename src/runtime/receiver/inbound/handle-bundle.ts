import type { Bundle, BundleEntry, Resource } from 'fhir/r4';
import { checkResource, takeResource, type InboundAnswer } from './handle';
import type { InboundDeps } from './deps';
import { answerOf, fail, HttpError } from '../failure';
import type { Scope } from '../fhir-client';
import { literalReferences } from '../urn-references';
import { FHIR_ID } from '../../../core/ids';

/**
 * POST /fhir with a batch or transaction Bundle of creates (POST <Type>) and
 * updates (PUT <Type>/<id>). A transaction is checked whole before any CHT
 * call (one bad entry refuses all, nothing written); its `urn:uuid:`
 * references between entries become literal ones; contacts are written
 * before the records that may point at them. CHT has no transactions: if CHT
 * fails midway the earlier writes stay, and a resend completes the rest
 * without writing anything twice. A batch takes each entry on its own.
 */
const ENTRY_URL = new RegExp(`^([A-Z][A-Za-z]+)(?:/(${FHIR_ID}))?$`);
const REASONS: Record<number, string> = { 200: 'OK', 201: 'Created' };

interface Entry {
  type: string;
  id?: string;
  resource: Resource;
  fullUrl?: string;
  /** The entry's request.ifNoneExist: what names a resource POSTed without an id, as the header does. */
  ifNoneExist?: string;
}

function entryOf(e: BundleEntry, i: number): Entry {
  if (!e || typeof e !== 'object') throw fail(400, 'structure', `Bundle.entry[${i}] is not an object`, [`Bundle.entry[${i}]`]);
  const method = e.request?.method;
  const m = ENTRY_URL.exec(String(e.request?.url ?? '').replace(/^\/+/, ''));
  if ((method !== 'POST' && method !== 'PUT') || !m || (method === 'PUT') !== !!m[2]) {
    throw fail(400, 'not-supported', `Bundle.entry[${i}].request: only POST <Type> and PUT <Type>/<id> are taken here`, [`Bundle.entry[${i}].request`]);
  }
  return { type: m[1]!, id: m[2], resource: e.resource as Resource, fullUrl: e.fullUrl, ifNoneExist: e.request?.ifNoneExist };
}

export async function handleBundle(body: unknown, deps: InboundDeps, scope: Scope): Promise<{ status: number; body: Bundle }> {
  const b = body as Bundle;
  if (!b || typeof b !== 'object' || b.resourceType !== 'Bundle')
    throw fail(400, 'structure', 'POST /fhir takes a Bundle (type batch or transaction)', ['resourceType']);
  if (b.type !== 'batch' && b.type !== 'transaction')
    throw fail(422, 'not-supported', `Bundle.type '${String(b.type)}' is not taken here: send batch or transaction`, ['Bundle.type']);
  const entries = Array.isArray(b.entry) ? b.entry : [];
  const responseType = b.type === 'batch' ? 'batch-response' : 'transaction-response';
  if (b.type === 'batch') {
    const out: BundleEntry[] = [];
    for (const [i, e] of entries.entries()) {
      try {
        const en = entryOf(e, i);
        out.push(responseEntry(await takeResource(en.type, en.id, en.resource, deps, scope, en.ifNoneExist)));
      } catch (err) {
        out.push(errorEntry(err));
      }
    }
    return { status: 200, body: { resourceType: 'Bundle', type: responseType, entry: out } };
  }
  const checked = entries.map((e, i) => {
    const en = entryOf(e, i);
    try {
      en.resource = checkResource(en.type, en.id, en.resource, deps, en.ifNoneExist);
    } catch (err) {
      throw err instanceof HttpError ? withEntry(err, i) : err;
    }
    return en;
  });
  const literal = new Map(checked.filter((e) => e.fullUrl?.startsWith('urn:uuid:')).map((e) => [e.fullUrl!, `${e.type}/${e.resource.id}`]));
  const order = checked.map((e, i) => ({ e, i, first: deps.mappings.some((m) => m.def.resource === e.type && m.def.write === 'person') ? 0 : 1 }));
  order.sort((a, b2) => a.first - b2.first || a.i - b2.i);
  const out = new Array<BundleEntry>(checked.length);
  for (const { e, i } of order) {
    literalReferences(e.resource, literal, () => `Bundle.entry[${i}].resource`);
    out[i] = responseEntry(await takeResource(e.type, e.resource.id, e.resource, deps, scope));
  }
  return { status: 200, body: { resourceType: 'Bundle', type: responseType, entry: out } };
}

function responseEntry(a: InboundAnswer): BundleEntry {
  return { response: { status: `${a.status} ${REASONS[a.status] ?? ''}`.trim(), ...(a.location ? { location: a.location } : {}), outcome: a.body } };
}

function errorEntry(e: unknown): BundleEntry {
  const err = answerOf(e);
  return { response: { status: String(err.status), outcome: err.body } };
}

/** Names the entry in each issue, so the sender knows which one to fix. */
function withEntry(e: HttpError, i: number): HttpError {
  // `Patient.name` in the resource is `Bundle.entry[i].resource.name` in the Bundle.
  const at = (x: string) => {
    const inner = x.replace(/^[A-Z][A-Za-z]+\.?/, '');
    return `Bundle.entry[${i}].resource${inner ? '.' + inner : ''}`;
  };
  const issue = e.body.issue.map((is) => ({ ...is, expression: (is.expression ?? ['']).map(at) }));
  return new HttpError(e.status, { ...e.body, issue }, e.headers);
}
