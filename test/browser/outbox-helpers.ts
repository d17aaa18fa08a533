import type { Bundle, Observation, Patient } from 'fhir/r4';
import { openOutbox, type Outbox, type OutboxOptions } from '../../src/runtime/outbox';
import type { OutboxEventMap, OutboxEventType } from '../../src/runtime/outbox';
import type { OutboxTestConfig } from '../../harness/stand-ins/outbox-servers';

/** Servers started by karma.conf.js (real FHIR server and receiver behind the fault gateway). */
export function servers(): OutboxTestConfig {
  return (window as unknown as { __karma__: { config: { outbox: OutboxTestConfig } } }).__karma__.config.outbox;
}

export function uniqueName(): string {
  return `outbox-test-${crypto.randomUUID()}`;
}

/** Tag on every test resource so each test counts only its own. */
export const SYSTEM = 'urn:cht-fhir:outbox-test';
/** The reference config's canonical base (its identifier_base without /sid). */
export const CANONICAL_BASE = 'https://fhir.example.org';

export function patient(id: string, tag: string, family = 'Doe'): Patient {
  return { resourceType: 'Patient', id, identifier: [{ system: SYSTEM, value: tag }], name: [{ family }] };
}

export function observation(id: string, patientId: string, tag: string): Observation {
  return {
    resourceType: 'Observation',
    id,
    identifier: [{ system: SYSTEM, value: tag }],
    status: 'final',
    code: { coding: [{ system: 'http://loinc.org', code: '29463-7', display: 'Body weight' }] },
    subject: { reference: `Patient/${patientId}` },
    valueQuantity: { value: 60, unit: 'kg', system: 'http://unitsofmeasure.org', code: 'kg' },
  };
}

/** Records every transaction Bundle the outbox sends, then sends it for real. */
export function recordingFetch(sent: Bundle[], before?: (n: number) => void | Promise<void>): typeof fetch {
  return async (input, init) => {
    sent.push(JSON.parse(init?.body as string) as Bundle);
    await before?.(sent.length);
    return fetch(input, init);
  };
}

export async function open(opts: Partial<OutboxOptions> & { name: string }): Promise<Outbox> {
  return openOutbox({
    endpoint: servers().pushUrl,
    canonicalBase: CANONICAL_BASE,
    headers: { authorization: servers().authorization },
    autoFlush: false,
    ...opts,
  });
}

export async function scriptFaults(plan: string[]): Promise<Record<string, number>> {
  const res = await fetch(servers().faultsUrl, { method: 'PUT', body: JSON.stringify({ plan }) });
  return ((await res.json()) as { seen: Record<string, number> }).seen;
}

/** Random faults (503, drop before or after the receiver) on a share of the next `count` pushes, after any scripted plan. */
export async function randomFaults(random: { rate: number; count: number; seed?: number }): Promise<void> {
  await fetch(servers().faultsUrl, { method: 'PUT', body: JSON.stringify({ plan: [], random }) });
}

/** Forwards the pushes parked by `hold` faults now; resolves with the receiver's statuses. */
export async function releaseHeld(): Promise<number[]> {
  const res = await fetch(servers().faultsUrl, { method: 'PUT', body: JSON.stringify({ release: true }) });
  return ((await res.json()) as { released: number[] }).released;
}

export async function faultsSeen(): Promise<Record<string, number>> {
  return ((await (await fetch(servers().faultsUrl)).json()) as { seen: Record<string, number> }).seen;
}

/** Ids of stored resources of a type carrying the test tag (the in-memory store cannot search identifiers, so filter here). */
export async function storedIds(type: string, tag: string): Promise<string[]> {
  const res = await fetch(`${servers().fhirUrl}/${type}?_count=5000`);
  const bundle = (await res.json()) as Bundle<Patient | Observation>;
  const tagged = (bundle.entry ?? []).filter((e) => e.resource!.identifier?.some((i) => i.system === SYSTEM && i.value === tag));
  return tagged.map((e) => e.resource!.id!).sort();
}

/** How many versions the FHIR server holds for a resource. */
export async function versionCount(type: string, id: string): Promise<number> {
  const res = await fetch(`${servers().fhirUrl}/${type}/${id}/_history`);
  return ((await res.json()) as Bundle).entry?.length ?? 0;
}

export async function versionCounts(type: string, ids: string[]): Promise<number[]> {
  return Promise.all(ids.map((id) => versionCount(type, id)));
}

export function nextEvent<K extends OutboxEventType>(outbox: Outbox, type: K): Promise<OutboxEventMap[K]> {
  return new Promise((resolve) => {
    const off = outbox.on(type, (d) => {
      off();
      resolve(d);
    });
  });
}

export function ids(n: number): string[] {
  return Array.from({ length: n }, () => crypto.randomUUID());
}

export function deleteDb(name: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const r = indexedDB.deleteDatabase(name);
    r.onsuccess = () => resolve();
    r.onerror = () => reject(r.error ?? new Error('IndexedDB request failed'));
  });
}

/**
 * Per-test isolation for a suite: a fresh queue name and resource tag before
 * each test (handed to `onEach`), the fault script reset, and every queue the
 * test opened closed and its database deleted after it.
 */
export function freshQueues(
  onEach: (name: string, tag: string) => void,
): ((opts: Parameters<typeof open>[0]) => Promise<Outbox>) & { track(o: Outbox): Outbox } {
  let current = '';
  const opened: Outbox[] = [];
  beforeEach(async () => {
    current = uniqueName();
    onEach(current, crypto.randomUUID());
    await scriptFaults([]);
  });
  afterEach(async () => {
    opened.splice(0).forEach((o) => o.close());
    await deleteDb(current);
  });
  const openQueue = async (opts: Parameters<typeof open>[0]) => {
    const o = await open(opts);
    opened.push(o);
    return o;
  };
  /** A queue opened some other way (e.g. from the built module) is closed after the test too. */
  return Object.assign(openQueue, { track: (o: Outbox) => (opened.push(o), o) });
}
