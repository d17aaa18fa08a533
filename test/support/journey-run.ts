import { strict as assert } from 'node:assert';
import type { Bundle, Extension, Condition, EpisodeOfCare, Encounter, FhirResource, RelatedPerson } from 'fhir/r4';
import { compileDefinitions } from '../../src/compiler/definitions/compile';
import { outboundEntries, ENTRY_PREFIX } from '../../src/compiler/outbound';
import { mapPayload } from '../../src/doubles/cht-outbound-push/cht-outbound';
import { hydrate } from '../../src/doubles/cht-outbound-push/hydrate';
import { resourceId } from '../../src/core/identity';
import { episodeId } from '../../src/core/episodes';
import { withoutSourceVersion } from '../../src/core/source-version';
import { validateR4, formatIssues } from '../../src/fhir-validation';
import type { MappingModel } from '../../src/core/model';
import { journeyDocs, type JourneyFacts } from '../../harness/journey';
import { sampleContacts, type Doc } from '../../harness/samples';
import { push, mapLimit, CREDS } from '../../harness/receiver-stack';
import { startReceiver, type Receiver } from '../../src/runtime/receiver';
import { startRoundRobin, type RoundRobin } from '../../harness/stand-ins/round-robin';

/**
 * The journey test's moves, shared by the embedded-store and HAPI suites:
 * payloads as CHT's outbound push makes them (the generated entry under
 * `vm`), the three orders, and what the end state must say.
 */
export interface Journey {
  model: MappingModel;
  /** Contacts first (patients exist before their reports, as HAPI's referential integrity needs), then the reports. */
  contacts: Array<{ label: string; payload: unknown }>;
  /** Every report push in clinical order, the registration's edit last. */
  reports: Array<{ label: string; payload: unknown }>;
  women: Array<{ woman: string; facts: JourneyFacts }>;
}

export async function buildJourney(root: string, patients: number): Promise<Journey> {
  const compiled = compileDefinitions(root);
  const entry = (await outboundEntries(compiled, {}))[ENTRY_PREFIX];
  const journeys = Array.from({ length: patients }, (_, i) => journeyDocs(i + 1));
  const all = [...sampleContacts(), ...journeys.flatMap((j) => j.contacts)];
  const payload = (d: Doc) => ({ label: `${String(d._id)}@${String(d._rev)}`, payload: mapPayload(entry, ENTRY_PREFIX, hydrate(d, all)) });
  return {
    model: compiled.model,
    contacts: [...sampleContacts().map((c) => ({ ...c, _rev: '1-a' })), ...journeys.flatMap((j) => j.contacts)].map(payload),
    reports: [...journeys.flatMap((j) => j.reports), ...journeys.map((j) => j.edit)].map(payload),
    women: journeys.map((j) => ({ woman: j.woman, facts: j.facts })),
  };
}

/** A seeded shuffle with every fourth push sent twice: the same end state is due. */
export function shuffledWithDuplicates<T>(items: T[], seed: number): T[] {
  let s = seed;
  const rand = () => (s = (s * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
  const out = [...items, ...items.filter((_, i) => i % 4 === 0)];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/**
 * Sends every push; those answered 5xx are sent again in a later round, one
 * at a time as sentinel works through its outbound queue, after a pause (CHT
 * waits 5 minutes). Seen on HAPI 8.8.0 on a fresh database: concurrent
 * transactions racing on its resource-type table (unique index on
 * HFJ_RESOURCE_TYPE, value '(unknown)') answer 500 HAPI-2223; a later retry
 * goes through. Anything else than 200 in the end fails.
 */
export async function pushAll(url: string, pushes: Array<{ label: string; payload: unknown }>, concurrency = 1, rounds = 5): Promise<void> {
  let pending = pushes;
  for (let round = 1; pending.length; round++) {
    if (round > 1) await new Promise((ok) => setTimeout(ok, 2_000 * (round - 1)));
    const answers = await mapLimit(pending, round === 1 ? concurrency : 1, (p) => push(url, p.payload));
    const failed = answers.map((a, i) => [a, pending[i]] as const).filter(([a]) => a.status !== 200);
    const final = failed.filter(([a]) => a.status < 500 || round === rounds);
    assert.deepEqual(
      final.map(([a, p]) => `${p.label}: ${a.status} ${a.text.slice(0, 300)}`),
      [],
    );
    pending = failed.map(([, p]) => p);
  }
}

const TYPES = ['Patient', 'Encounter', 'EpisodeOfCare', 'Condition', 'RelatedPerson', 'QuestionnaireResponse', 'Observation', 'Procedure', 'Immunization'];

/**
 * What the FHIR server holds, by `<Type>/<id>`, without bookkeeping: the
 * server's (versionId, lastUpdated, meta.source) and the source version,
 * and the report versions of statements, which may stay one behind when the
 * next version said the same (the receiver writes no FHIR version for
 * nothing).
 */
export async function endState(fhirUrl: string, headers: Record<string, string> = {}): Promise<Map<string, FhirResource>> {
  const out = new Map<string, FhirResource>();
  for (const type of TYPES) {
    let next: string | undefined = `${fhirUrl}/${type}?_count=500`;
    while (next) {
      const page = (await fetch(next, { headers: { accept: 'application/fhir+json', ...headers } }).then((r) => r.json())) as Bundle<FhirResource>;
      for (const e of page.entry ?? []) {
        const { meta, ...rest } = e.resource!;
        const { versionId: _v, lastUpdated: _l, ...kept } = meta ?? {};
        // HAPI rewrites meta.source with its own request id: provenance, not content.
        delete (kept as { source?: string }).source;
        const content = withoutVersions(withoutSourceVersion(rest)) as unknown as FhirResource;
        out.set(`${type}/${rest.id!}`, Object.keys(kept).length ? { ...content, meta: kept } : content);
      }
      next = page.link?.find((l) => l.relation === 'next')?.url;
    }
  }
  return out;
}

/** Statements with their report versions left out: like the source version, one may stay behind when the next said the same. */
function withoutVersions(r: Record<string, unknown>): Record<string, unknown> {
  if (!Array.isArray(r.extension)) return r;
  const exts = (r.extension as Extension[]).map((e) =>
    e.url.endsWith('/StructureDefinition/statement') ? { ...e, extension: e.extension?.filter((p) => p.url !== 'version') } : e,
  );
  return { ...r, extension: exts };
}

/**
 * One run of the journey on a fresh FHIR store: the contacts, then `order`
 * through `receivers` receivers (behind a round-robin front when several),
 * `concurrency` pushes at a time; what the store holds at the end.
 */
export async function runJourney(
  journey: Journey,
  store: () => Promise<{ url: string; stop(): Promise<void> }>,
  order: Journey['reports'],
  receivers = 1,
  concurrency = 1,
): Promise<Map<string, FhirResource>> {
  const fhir = await store();
  const started: Receiver[] = [];
  let front: RoundRobin | undefined;
  try {
    for (let i = 0; i < receivers; i++) started.push(await startReceiver({ auth: CREDS, fhirBaseUrl: fhir.url }));
    front = receivers > 1 ? await startRoundRobin(started.map((r) => r.url)) : undefined;
    const url = `${front?.url ?? started[0].url}/cht-fhir/push`;
    await pushAll(url, journey.contacts);
    await pushAll(url, order, concurrency);
    for (const r of started) await r.lateChecksDone();
    return await endState(fhir.url);
  } finally {
    await front?.close();
    for (const r of started) await r.close();
    await fhir.stop();
  }
}

/** The end state is clinically right for each woman, valid R4, with no duplicates. */
export function assertClinicallyRight(j: Journey, state: Map<string, FhirResource>): void {
  const d = j.model.deployment;
  const get = <T>(type: string, id: string): T => {
    const r = state.get(`${type}/${id}`);
    assert.ok(r, `${type}/${id} is stored`);
    return r as T;
  };
  const ctx = { d } as Parameters<typeof episodeId>[0];
  const invalid = [...state.values()].map((r) => [r, validateR4(r)] as const).filter(([, issues]) => issues.length);
  assert.deepEqual(
    invalid.map(([r, issues]) => `${r.resourceType}/${r.id}: ${formatIssues(issues)}`),
    [],
  );
  // No duplicates: exactly the resources the journey makes, each once.
  const count = (type: string, of: (id: string) => boolean = () => true) => [...state.keys()].filter((k) => k.startsWith(type + '/') && of(k)).length;
  const babies = j.women.reduce((n, w) => n + w.facts.babies.length, 0);
  const mine = (k: string) => JSON.stringify(state.get(k)).includes('j-woman-');
  assert.deepEqual(
    [count('EpisodeOfCare'), count('Condition', mine), count('Encounter', mine), count('RelatedPerson')],
    [3 * j.women.length, 5 * j.women.length, 7 * j.women.length, babies],
    'episodes (2 pregnancies, 1 postnatal), Conditions (2 pregnancies, 2 danger signs, 1 postnatal sign), Encounters (7 reports), one mother link per baby',
  );
  for (const { facts } of j.women) {
    const first = get<EpisodeOfCare>('EpisodeOfCare', episodeId(ctx, 'pregnancy-episode', facts.reg1));
    assert.equal(first.status, 'finished', 'the first pregnancy ended with the delivery');
    assert.equal(first.period?.end, facts.delivered);
    assert.ok(first.period?.start, 'it started with the registration');
    const second = get<EpisodeOfCare>('EpisodeOfCare', episodeId(ctx, 'pregnancy-episode', facts.reg2));
    assert.equal(second.status, 'active', 'the second pregnancy is a second episode, open');
    const preg1 = get<Condition>('Condition', resourceId(d, 'Condition', facts.reg1, 'episode/pregnancy-episode/pregnancy'));
    assert.equal(preg1.clinicalStatus?.coding?.[0]?.code, 'resolved', 'a late home visit does not re-open it');
    assert.equal(preg1.onsetDateTime, facts.lmp, 'the LMP of the registration (as edited) stays');
    assert.equal(preg1.abatementDateTime, facts.delivered);
    const preg2 = get<Condition>('Condition', resourceId(d, 'Condition', facts.reg2, 'episode/pregnancy-episode/pregnancy'));
    assert.equal(preg2.clinicalStatus?.coding?.[0]?.code, 'active');
    const bleeding = get<Condition>('Condition', resourceId(d, 'Condition', facts.reg1, 'episode/pregnancy-episode/vaginal-bleeding'));
    assert.equal(bleeding.clinicalStatus?.coding?.[0]?.code, 'resolved', 'the follow-up found it gone');
    assert.ok(bleeding.abatementDateTime);
    const fever = get<Condition>('Condition', resourceId(d, 'Condition', facts.reg1, 'episode/pregnancy-episode/fever'));
    assert.equal(fever.clinicalStatus?.coding?.[0]?.code, 'active', 'not said to be gone');
    const delivery = get<Encounter>('Encounter', resourceId(d, 'Encounter', `uuid:${facts.del}`));
    assert.deepEqual(
      delivery.episodeOfCare?.map((r) => r.reference),
      [`EpisodeOfCare/${first.id!}`, `EpisodeOfCare/${episodeId(ctx, 'postnatal-episode', facts.del)}`],
    );
    for (const baby of facts.babies) {
      const link = get<RelatedPerson>('RelatedPerson', resourceId(d, 'RelatedPerson', baby, 'mother'));
      assert.equal(link.relationship?.[0]?.coding?.[0]?.code, 'MTH');
      assert.equal(link.patient.reference, `Patient/${resourceId(d, 'Patient', baby)}`);
    }
  }
}
