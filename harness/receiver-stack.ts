import http from 'node:http';
import type { FhirResource } from 'fhir/r4';
import type { MemoryRepository } from '@medplum/fhir-router';
import { startFhirServer, type FhirServer } from '../src/doubles/fhir-store';
import { startReceiver, type Receiver, type ReceiverOptions } from '../src/runtime/receiver';
import { basic, rawRequest, type RawResponse } from './stand-ins/raw-http';
import type { PushDoc } from './stand-ins/push-bundles';

export const CREDS = { username: 'cht', password: 's3cret-pass' };
export const AUTH = basic(CREDS.username, CREDS.password);

export interface Stack {
  fhir: FhirServer;
  receiver: Receiver;
  pushUrl: string;
  close(): Promise<void>;
}

/** The embedded FHIR server plus a receiver pointing at it over HTTP (or at `fhirBaseUrl`, e.g. a fault proxy). */
export async function startStack(extra: Partial<ReceiverOptions> & { fhir?: FhirServer } = {}): Promise<Stack> {
  const fhir = extra.fhir ?? (await startFhirServer());
  const { fhir: _given, ...opts } = extra;
  const receiver = await startReceiver({ auth: CREDS, fhirBaseUrl: fhir.url, ...opts });
  return {
    fhir,
    receiver,
    pushUrl: `${receiver.url}/cht-fhir/push`,
    close: async () => {
      await receiver.close();
      if (!extra.fhir) await fhir.close();
    },
  };
}

export function push(url: string, body: unknown, agent?: http.Agent, headers: Record<string, string> = {}): Promise<RawResponse> {
  return rawRequest(url, {
    method: 'POST',
    headers: { authorization: AUTH, 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
    agent,
    timeoutMs: 15000,
  });
}

/** Runs `fn` over `items` with at most `limit` at a time; results in input order. */
export async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i], i);
      }
    }),
  );
  return out;
}

const TYPES = [
  'Patient',
  'Encounter',
  'Observation',
  'Organization',
  'Condition',
  'QuestionnaireResponse',
  'Practitioner',
  'Location',
  'Group',
  'RelatedPerson',
];

/** Every stored resource of the usual types, by `<Type>/<id>`. */
export async function storedResources(repo: MemoryRepository): Promise<Map<string, FhirResource>> {
  const out = new Map<string, FhirResource>();
  for (const resourceType of TYPES) {
    const bundle = await repo.search({ resourceType: resourceType as 'Patient', count: 100000 });
    for (const e of bundle.entry ?? []) out.set(`${resourceType}/${e.resource!.id}`, e.resource as unknown as FhirResource);
  }
  return out;
}

export async function versionCount(repo: MemoryRepository, key: string): Promise<number> {
  const [type, id] = key.split('/');
  return (await repo.readHistory(type, id)).entry?.length ?? 0;
}

/** What a push should store: the pushed resources with urn:uuid references made literal. */
export function expectedResources(docs: PushDoc[]): Map<string, Record<string, unknown>> {
  const out = new Map<string, Record<string, unknown>>();
  for (const d of docs) {
    const byUrn = new Map(d.body.bundle.entry!.map((e) => [e.fullUrl!, `${e.resource!.resourceType}/${e.resource!.id}`]));
    const text = JSON.stringify(d.body.bundle.entry!.map((e) => e.resource)).replace(/"urn:uuid:[0-9a-f-]+"/g, (m) => JSON.stringify(byUrn.get(JSON.parse(m))));
    for (const r of JSON.parse(text)) out.set(`${r.resourceType}/${r.id}`, r);
  }
  return out;
}

export function withoutMeta(r: unknown): unknown {
  const { meta: _meta, ...rest } = r as Record<string, unknown>;
  return rest;
}
