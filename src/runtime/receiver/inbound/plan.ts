import type { Identifier, Resource } from 'fhir/r4';
import type { InboundMapping } from '../../../core/inbound-model';
import { contentHash } from '../canonical-json';
import { chtIdFromFhir, systems } from '../../../core/identity';
import type { Deployment } from '../../../core/model';
import { stableId } from '../../../core/ids';
import { Refused } from '../failure';

/**
 * What an incoming resource asks of CHT, decided without any I/O: which
 * mapping takes it, the values for each CHT field, the CHT doc it lives in
 * (a deterministic `_id` from the FHIR source, so finding it is one GET),
 * and the version that makes a re-delivery a no-op.
 */
export type Primitive = string | number | boolean;

export interface WritePlan {
  kind: 'write';
  mapping: InboundMapping;
  values: Record<string, Primitive>;
  /** `<Type>/<id>`: which FHIR resource this is, across versions. */
  source: string;
  /** The CHT `_id` of the doc made from it. */
  chtId: string;
  /** meta.versionId, else a hash of the canonical content without meta. */
  version: string;
  /** The request status (ServiceRequest.status...), when the resource has one. */
  status?: string;
  /** Epoch ms of the resource's clinical time (authoredOn...), when it has one. */
  clinicalTime?: number;
  /** The sender's own identifiers, kept on the CHT doc. */
  identifiers: Array<{ system: string; value: string }>;
  patientRef?: unknown;
  parentRef?: unknown;
}
export type Plan = { kind: 'ignore'; reason: string } | WritePlan;

/** Which element holds each resource type's clinical time (reported_date of the CHT record). */
const CLINICAL_TIME: Record<string, string[]> = {
  ServiceRequest: ['authoredOn', 'occurrenceDateTime'],
  Observation: ['effectiveDateTime', 'issued'],
  Encounter: ['period.start'],
  Condition: ['recordedDate', 'onsetDateTime'],
};

function one(results: unknown[], what: string, required: boolean): Primitive | undefined {
  if (results.length > 1) throw new Refused('multiple-matches', `${what} gives ${results.length} values where one is expected`);
  const v = results[0];
  if (v === undefined || v === null || v === '') {
    if (required) throw new Refused('required', `${what} gives no value, and it is required`);
    return undefined;
  }
  if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') throw new Refused('invalid', `${what} gives a ${typeof v}, not a single value`);
  return v;
}

function evaluate(fn: (r: unknown) => unknown[], resource: Resource, what: string): unknown[] {
  try {
    return fn(resource);
  } catch (e) {
    throw new Refused('processing', `${what} cannot be evaluated on this resource: ${String((e as Error).message).split('\n')[0]}`);
  }
}

/** The resource's version: the sender's versionId, else its content (key order, whitespace and meta do not count). */
export function contentVersion(resource: Resource): string {
  if (resource.meta?.versionId) return `v${resource.meta.versionId}`;
  const { meta: _meta, ...content } = resource;
  return `#${contentHash(content)}`;
}

/**
 * The FHIR id of a resource POSTed without one: derived from its first
 * business identifier (If-None-Exist semantics: the same identifier is the
 * same resource), or undefined when it has none.
 */
export function idFromIdentifier(d: Deployment, resourceType: string, identifiers: unknown): string | undefined {
  const first = ownIdentifiers(identifiers, '')[0];
  return first ? stableId(d.namespace, resourceType, `identifier|${first.system}|${first.value}`) : undefined;
}

function ownIdentifiers(ids: unknown, chtSystemBase: string): Array<{ system: string; value: string }> {
  if (!Array.isArray(ids)) return [];
  return (ids as Identifier[])
    .filter((i) => typeof i?.system === 'string' && typeof i.value === 'string' && !(chtSystemBase && i.system.startsWith(chtSystemBase)))
    .map((i) => ({ system: i.system!, value: i.value! }));
}

function clinicalTime(resource: Resource): number | undefined {
  for (const p of CLINICAL_TIME[resource.resourceType] ?? []) {
    const v = p.split('.').reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined), resource);
    const ms = typeof v === 'string' ? Date.parse(v.length === 4 ? `${v}-01-01` : v.length === 7 ? `${v}-01` : v) : NaN;
    if (!Number.isNaN(ms)) return ms;
  }
  return undefined;
}

export function plan(mappings: InboundMapping[], resource: Resource, d: Deployment): Plan {
  const sys = systems(d);
  const self = `${resource.resourceType}/${resource.id ?? ''}`;
  const chtId = chtIdFromFhir(resource.resourceType, resource.id ?? '');
  const ids = (resource as { identifier?: Identifier[] }).identifier;
  // Made from a CHT doc (outbound side), unless that doc was itself made from this resource: never written back.
  const fromCht = Array.isArray(ids) ? ids.find((i) => i && i.system === sys.chtId) : undefined;
  if (fromCht && fromCht.value !== chtId) return { kind: 'ignore', reason: `${self} came from CHT; it is not written back` };
  const candidates = mappings.filter((m) => m.def.resource === resource.resourceType);
  if (!candidates.length) throw new Refused('not-supported', `No inbound mapping takes ${resource.resourceType} (see app_settings/fhir/inbound/)`);
  const mapping = candidates.find((m) => !m.where || evaluate(m.where, resource, `${m.def.name}: where`)[0] === true);
  if (!mapping) return { kind: 'ignore', reason: `${self} matches no inbound mapping's 'where'; nothing to do in CHT` };

  const values: Record<string, Primitive> = {};
  for (const [field, rule] of Object.entries(mapping.fields)) {
    const v = one(
      evaluate(rule.compiled, resource, `${mapping.def.name}: ${field}`),
      `${mapping.def.name}: field '${field}' (${mapping.def.fields[field]?.path})`,
      rule.required,
    );
    if (v !== undefined) values[field] = v;
  }
  const ref = (fn: InboundMapping['patient'], what: 'patient' | 'parent') => {
    if (!fn) return undefined;
    const r = evaluate(fn, resource, `${mapping.def.name}: ${what}`);
    if (r.length !== 1)
      throw new Refused(
        r.length ? 'multiple-matches' : 'required',
        `${mapping.def.name}: ${what} (${mapping.def[what]}) gives ${r.length} references where one is required`,
        [`${resource.resourceType}.${mapping.def[what]}`],
      );
    return r[0];
  };
  const status = (resource as { status?: unknown }).status;
  return {
    kind: 'write',
    mapping,
    values,
    source: self,
    chtId,
    version: contentVersion(resource),
    status: typeof status === 'string' ? status : undefined,
    clinicalTime: clinicalTime(resource),
    identifiers: ownIdentifiers(ids, sys.chtId.replace(/cht-uuid$/, '')),
    patientRef: ref(mapping.patient, 'patient'),
    parentRef: ref(mapping.parent, 'parent'),
  };
}
