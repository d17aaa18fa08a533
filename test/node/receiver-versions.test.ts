import { statementsOf } from '../../src/core/statement';
import { strict as assert } from 'node:assert';
import type { Bundle, FhirResource, Patient } from 'fhir/r4';
import { compileDefinitions } from '../../src/compiler/definitions/compile';
import { mapDoc } from '../../src/core/map-doc';
import { transactionOf } from '../../src/core/bundle';
import { sourceVersionOf, sourceVersionUrl, withSourceVersion } from '../../src/core/source-version';
import { toRestore } from '../../src/runtime/receiver/create-guard';
import { systems } from '../../src/core/identity';
import { hydrate } from '../../src/doubles/cht-outbound-push/hydrate';
import { sampleContacts, sampleReports } from '../../harness/samples';
import { ROOT } from '../../harness/repo';
import { decide } from '../../src/runtime/receiver/deliver';
import { assertValidR4, preloadR4Definitions } from '../../src/fhir-validation';
import { startFhirServer, type FhirServer } from '../../src/doubles/fhir-store';
import { startFaultProxy, type FaultProxy } from '../../harness/stand-ins/fault-proxy';
import { push, startStack, type Stack } from '../../harness/receiver-stack';
import { versionedPushes } from '../support/versioned-pushes';

const SOURCE_VERSION_URL = sourceVersionUrl('https://fhir.example.org');

/**
 * The newest source version wins, whatever order pushes arrive or commit in.
 * A proxy between the receiver and the embedded FHIR store holds a
 * transaction past the receiver's deadline and lets it commit late; a proxy
 * in front of the receiver holds, reorders and replays whole pushes (as
 * OpenHIM's auto-retry does). Each race runs with an outbox-style push
 * (version `urn:uuid:<queue>#<seq>`) and a CHT-style one (a contact doc
 * mapped by the outbound core, versioned by its `_rev`). The same races
 * against HAPI FHIR JPA: test/hapi/hapi-versions.test.ts.
 */
describe('receiver: the newest source version wins (late commits, replays, reordering)', function () {
  this.timeout(30000);
  const DEADLINE = 400;
  let fhir: FhirServer;
  let toFhir: FaultProxy;
  let stack: Stack;
  let second: Stack;
  let toReceiver: FaultProxy;
  let run = 0;

  before(async () => {
    preloadR4Definitions();
    fhir = await startFhirServer();
    toFhir = await startFaultProxy({ target: fhir.url, faultRate: 0 });
    stack = await startStack({ fhir, fhirBaseUrl: toFhir.url, deadlineMs: DEADLINE });
    // A second receiver on the same store: its KeyLock does not see the first one's pushes.
    second = await startStack({ fhir, fhirBaseUrl: toFhir.url, deadlineMs: DEADLINE });
    toReceiver = await startFaultProxy({ target: stack.receiver.url, faultRate: 0 });
  });
  after(async () => {
    await toReceiver.close();
    await second.close();
    await stack.close();
    await toFhir.close();
    await fhir.close();
  });

  const isTransaction = (body: string) => body.includes('"type":"transaction"');

  /** Version `n` of this test's resource, as each kind of client pushes it. */
  const kinds = Object.fromEntries(Object.entries(versionedPushes).map(([k, make]) => [k, (n: number) => make(`emb-${run}`, n)]));

  async function stored(key: string): Promise<FhirResource> {
    const [type, id] = key.split('/');
    const r = (await fhir.repo.readResource(type, id)) as unknown as FhirResource;
    assertValidR4(r);
    return r;
  }

  for (const [kind, version] of Object.entries(kinds)) {
    describe(`${kind} pushes`, () => {
      beforeEach(() => {
        run++;
        toFhir.seen.splice(0);
        toReceiver.seen.splice(0);
      });
      afterEach(async () => {
        toFhir.script([]);
        toReceiver.script([]);
        await toFhir.release();
        await toReceiver.release();
      });

      it('a create held past the deadline that commits after a newer version does not replace it', async () => {
        const v1 = version(1);
        const v2 = version(2);
        assertValidR4(kind === 'cht' ? (v1.body as { bundle: Bundle }).bundle : v1.body);
        toFhir.script(['hold'], isTransaction);
        assert.equal((await push(stack.pushUrl, v1.body)).status, 504);
        assert.equal((await push(stack.pushUrl, v2.body)).status, 200);
        assert.deepEqual(await toFhir.release(), [412]);
        assert.equal(v2.name(await stored(v2.key)), 'V2');
      });

      it('an update held past the deadline that commits after a newer version does not replace it', async () => {
        const [v1, v2, v3] = [1, 2, 3].map(version);
        assert.equal((await push(stack.pushUrl, v1.body)).status, 200);
        toFhir.script(['hold'], isTransaction);
        assert.equal((await push(stack.pushUrl, v2.body)).status, 504);
        assert.equal((await push(stack.pushUrl, v3.body)).status, 200);
        assert.deepEqual(await toFhir.release(), [412]);
        assert.equal(v3.name(await stored(v3.key)), 'V3');
      });

      it('two creates racing through two receivers, the older committing first: the newer one is written over it', async () => {
        const [v1, v2] = [1, 2].map(version);
        toFhir.script(['hold', 'hold'], isTransaction);
        const older = push(stack.pushUrl, v1.body);
        await waitFor(() => toFhir.seen.filter((c) => isTransaction(c.body.toString())).length >= 1);
        const newer = push(second.pushUrl, v2.body);
        await waitFor(() => toFhir.seen.filter((c) => isTransaction(c.body.toString())).length >= 2);
        const statuses = await toFhir.release();
        assert.equal(statuses[0] >= 200 && statuses[0] < 300, true);
        assert.equal(statuses[1], 412);
        assert.equal((await older).status, 200);
        // The newer push re-reads after its 412 and writes over the older (or gave up at its deadline: CHT retries).
        if ((await newer).status !== 200) assert.equal((await push(second.pushUrl, v2.body)).status, 200);
        assert.equal(v2.name(await stored(v2.key)), 'V2');
      });

      it('two creates racing through two receivers: the older loses, whichever commits first', async () => {
        const [v1, v2] = [1, 2].map(version);
        // Both receivers read "absent"; the newer create commits first, then the older one is let go.
        toFhir.script(['hold', 'hold'], isTransaction);
        const newer = push(stack.pushUrl, v2.body);
        await waitFor(() => toFhir.seen.filter((c) => isTransaction(c.body.toString())).length >= 1);
        const older = push(second.pushUrl, v1.body);
        await waitFor(() => toFhir.seen.filter((c) => isTransaction(c.body.toString())).length >= 2);
        const statuses = await toFhir.release();
        assert.equal(statuses[0] >= 200 && statuses[0] < 300, true);
        assert.equal(statuses[1], 412);
        assert.equal((await newer).status, 200);
        // The older push re-reads after its 412 and finds itself superseded (or gave up at its deadline: CHT retries, and then finds the same).
        const olderStatus = (await older).status;
        assert.ok(olderStatus === 200 || olderStatus === 504, `older push answered ${olderStatus}`);
        assert.equal((await push(second.pushUrl, v1.body)).status, 200);
        assert.equal(v2.name(await stored(v2.key)), 'V2');
      });

      it('the next version with the same content (an unrelated CHT edit) writes no FHIR version; a late older push after it changes nothing', async () => {
        const v1 = versionedPushes[kind as 'outbox' | 'cht'](`emb-${run}`, 1, 'Same');
        const v2 = versionedPushes[kind as 'outbox' | 'cht'](`emb-${run}`, 2, 'Same');
        const [type, id] = v1.key.split('/');
        assert.equal((await push(stack.pushUrl, v1.body)).status, 200);
        assert.equal((await push(stack.pushUrl, v2.body)).status, 200);
        assert.equal((await push(second.pushUrl, v2.body)).status, 200);
        assert.equal((await fhir.repo.readHistory(type, id)).entry?.length, 1, 'one FHIR version');
        // Late and older than the skipped push: superseded by the stored version, never written.
        assert.equal((await push(stack.pushUrl, v1.body)).status, 200);
        assert.equal((await fhir.repo.readHistory(type, id)).entry?.length, 1);
        // With a gap (1 stored, 3 pushed) the version is written: a late 2 with other content must not win.
        const v3 = versionedPushes[kind as 'outbox' | 'cht'](`emb-${run}`, 3, 'Same');
        const v2other = versionedPushes[kind as 'outbox' | 'cht'](`emb-${run}`, 2, 'Other');
        assert.equal((await push(stack.pushUrl, v3.body)).status, 200);
        assert.equal((await push(second.pushUrl, v2other.body)).status, 200);
        assert.equal(v3.name(await stored(v3.key)), 'Same');
        assert.deepEqual(sourceVersionOf(await stored(v3.key))?.version, 3);
        assert.equal((await fhir.repo.readHistory(type, id)).entry?.length, 2);
      });

      it('an older push replayed or reordered after a newer one changes nothing', async () => {
        const [v1, v2, v3] = [1, 2, 3].map(version);
        const url = toReceiver.url.replace(/\/$/, '') + '/cht-fhir/push';
        toReceiver.script(['hold']);
        const held = push(url, v2.body).catch(() => undefined);
        await waitFor(() => toReceiver.seen.length >= 1);
        assert.equal((await push(url, v3.body)).status, 200);
        assert.deepEqual(await toReceiver.release(), [200]);
        await held;
        assert.equal(await toReceiver.replay(toReceiver.seen[0]), 200);
        assert.equal((await push(url, v1.body)).status, 200);
        assert.equal(v3.name(await stored(v3.key)), 'V3');
        const [type, id] = v3.key.split('/');
        assert.equal((await fhir.repo.readHistory(type, id)).entry?.length, 1);
      });
    });
  }
});

describe('CHT pushes carry the source version of the doc each resource comes from', () => {
  const { model } = compileDefinitions(ROOT);
  const chtId = systems(model.deployment).chtId;

  it('a report: its resources at the report _rev, the submitter at its own contact doc _rev; a pure function of the doc', () => {
    const report = sampleReports()[0];
    const contacts = sampleContacts().map((c) => ({ ...c, _rev: `4-${String(c._id)}` }));
    const doc = hydrate({ ...report, _rev: '7-abc' }, contacts);
    const bundle = mapDoc(model, doc);
    assertValidR4(bundle);
    assert.equal(JSON.stringify(mapDoc(model, doc)), JSON.stringify(bundle));
    const versions = bundle.entry!.map((e) => [e.resource!.resourceType, sourceVersionOf(e.resource)]);
    const submitter = String((doc.contact as { _id: string })._id);
    for (const [i, [type, v]] of versions.entries()) {
      // A resource several reports write carries the report's statement instead (core/statement.ts).
      const stated = statementsOf(bundle.entry![i].resource);
      if (stated.length) {
        assert.deepEqual(
          [stated.length, stated[0].source, stated[0].version],
          [1, `${chtId}/${report._id}`, 7],
          `${type as string} states the report at its _rev`,
        );
        continue;
      }
      assert.ok(v, `${type as string} has a source version`);
      if (type === 'Practitioner') assert.deepEqual(v, { source: `${chtId}/${submitter}`, version: 4 });
      else if (type === 'Encounter' || type === 'Observation' || type === 'QuestionnaireResponse')
        assert.deepEqual(v, { source: `${chtId}/${report._id}`, version: 7 });
    }
    assert.ok(
      versions.some(([type]) => type === 'Practitioner'),
      'the sample report carries its submitter',
    );
  });

  it('a doc without _rev (a preview) gives unversioned resources', () => {
    const bundle = mapDoc(model, hydrate(sampleReports()[0], sampleContacts()));
    for (const e of bundle.entry!) assert.equal(sourceVersionOf(e.resource), undefined);
    for (const e of bundle.entry!) for (const st of statementsOf(e.resource)) assert.equal(st.version, 0, 'a statement at version 0');
  });
});

describe('receiver: a refused push names every refused entry', function () {
  let stack: Stack;
  before(async () => {
    preloadR4Definitions();
    stack = await startStack();
  });
  after(() => stack.close());

  it('400 with one issue per refused entry (Bundle.entry[i], Type/id), after the problems themselves', async () => {
    const ok = (id: string): Patient => ({ resourceType: 'Patient', id, name: [{ family: 'Fine' }] });
    const bad = { ...ok('refused-b'), gender: 'robot' } as unknown as Patient;
    const worse = { ...ok('refused-d'), unknownField: 1 } as unknown as Patient;
    const res = await push(stack.pushUrl, transactionOf([ok('fine-a'), bad, ok('fine-c'), worse]));
    assert.equal(res.status, 400);
    const outcome = res.json();
    assertValidR4(outcome);
    const named = outcome.issue.filter((i: { expression: string[] }) => /^Bundle\.entry\[\d+\]$/.test(i.expression[0]));
    assert.deepEqual(
      named.map((i: { expression: string[]; details: { text: string } }) => [i.expression[0], i.details.text]),
      [
        ['Bundle.entry[1]', 'Patient/refused-b refused'],
        ['Bundle.entry[3]', 'Patient/refused-d refused'],
      ],
    );
    assert.equal(outcome.issue.length, named.length + 2);
  });
});

describe('decide: what a push does to the stored resource', () => {
  const src = 'https://fhir.example.org/sid/cht-uuid/rep-1';
  const patient = (family: string, version?: number, source = src): Patient => {
    const p: Patient = { resourceType: 'Patient', id: 'p', name: [{ family }] };
    return version ? withSourceVersion(p, { source, version }, SOURCE_VERSION_URL) : p;
  };
  /** As HAPI JPA stores it: `meta.source` `<source>#<its request id>`, the extension kept as sent. */
  const stamped = (p: Patient): Patient => ({ ...p, meta: { ...p.meta, versionId: '4', source: `${p.meta?.source ?? ''}#Xq7fPbUe9kLm2Rt0` } });

  it('orders by the source-version extension within one source; otherwise compares content; meta.source is never compared', () => {
    assert.equal(decide(patient('A', 3), undefined).decision, 'write');
    assert.equal(decide(patient('A', 3), stamped(patient('B', 5))).decision, 'superseded');
    assert.equal(decide(patient('A', 5), stamped(patient('A', 5))).decision, 'unchanged');
    assert.equal(decide(patient('B', 6), stamped(patient('A', 5))).decision, 'write');
    assert.equal(decide(patient('A', 6), stamped(patient('A', 5))).decision, 'unchanged', 'the next version saying the same: no FHIR version for nothing');
    assert.equal(
      decide(patient('A', 7), stamped(patient('A', 5))).decision,
      'write',
      'after a gap an unseen version may be in flight: the stored version keeps up',
    );
    assert.equal(
      decide(patient('A', 3, 'urn:uuid:5b0e9f7c-1c1d-4f55-9b1e-3f0c7d1e0001'), stamped(patient('A', 5))).decision,
      'unchanged',
      'another source, same content',
    );
    assert.equal(
      decide(patient('B', 3, 'urn:uuid:5b0e9f7c-1c1d-4f55-9b1e-3f0c7d1e0001'), stamped(patient('A', 5))).decision,
      'write',
      'another source: the last write wins',
    );
    assert.equal(decide(patient('A'), stamped(patient('A', 5))).decision, 'unchanged');
    assert.equal(decide(patient('A', 2), stamped(patient('A'))).decision, 'unchanged', 'a version alone is not content');
    // The version lives in the extension only: a `#n` in meta.source (as sent before, or HAPI's request id) orders nothing.
    assert.equal(decide({ ...patient('A'), meta: { source: `${src}#3` } }, { ...patient('B'), meta: { source: `${src}#5` } }).decision, 'write');
  });

  it('the version is a valid R4 resource extension; other extensions are kept, a pushed version is replaced', () => {
    const other = { url: 'http://hl7.org/fhir/StructureDefinition/patient-birthPlace', valueAddress: { city: 'Kisumu' } };
    const p = withSourceVersion(
      withSourceVersion<Patient>({ resourceType: 'Patient', id: 'p', extension: [other] }, { source: src, version: 2 }, SOURCE_VERSION_URL),
      { source: src, version: 3 },
      SOURCE_VERSION_URL,
    );
    assertValidR4(p);
    assert.deepEqual(p.extension, [other, { url: SOURCE_VERSION_URL, valueString: `${src}#3` }]);
    assert.equal(p.meta?.source, src, 'meta.source: provenance only');
    assert.deepEqual(sourceVersionOf(p), { source: src, version: 3 });
    const bundle = withSourceVersion<Bundle>({ resourceType: 'Bundle', type: 'collection' }, { source: src, version: 3 }, SOURCE_VERSION_URL);
    assertValidR4(bundle);
    assert.equal(sourceVersionOf(bundle), undefined, 'not a DomainResource: no extension, no version');
  });

  it('toRestore: the version before ours, when ours is the newest and that one is newer by source version', () => {
    const v = (family: string, versionId: string, n?: number, source = src) =>
      ({ ...patient(family, n, source), meta: { ...patient(family, n, source).meta, versionId, lastUpdated: '2026-01-01T00:00:00Z' } }) as FhirResource;
    const back = toRestore([v('A', '2', 1), v('B', '1', 2)], '2') as Patient;
    assert.deepEqual(back, { ...patient('B', 2), meta: { source: src } });
    assert.equal(toRestore([v('A', '2', 2), v('B', '1', 1)], '2'), undefined, 'ours is newer');
    assert.equal(toRestore([v('A', '3', 1), v('B', '2', 2)], '2'), undefined, 'a later writer decided against ours');
    assert.equal(
      toRestore([v('A', '2', 1), v('B', '1', 2, 'urn:uuid:5b0e9f7c-1c1d-4f55-9b1e-3f0c7d1e0001')], '2'),
      undefined,
      'another source: last write wins',
    );
    assert.equal(toRestore([v('A', '1', 1)], '1'), undefined);
  });
});

async function waitFor(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((ok) => setTimeout(ok, 5));
}
