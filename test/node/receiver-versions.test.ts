import { statementsOf } from '../../src/core/statement';
import { strict as assert } from 'node:assert';
import type { Bundle, FhirResource, Patient } from 'fhir/r4';
import { compileDefinitions } from '../../src/compiler/definitions/compile';
import { mapDoc } from '../../src/core/map-doc';
import { transactionOf } from '../../src/core/bundle';
import { sourceVersionOf } from '../../src/core/source-version';
import { systems } from '../../src/core/identity';
import { hydrate } from '../../src/doubles/cht-outbound-push/hydrate';
import { sampleContacts, sampleReports } from '../../harness/samples';
import { ROOT } from '../../harness/repo';
import { assertValidR4, preloadR4Definitions } from '../../src/fhir-validation';
import { startFhirServer, type FhirServer } from '../../src/doubles/fhir-store';
import { startFaultProxy, type FaultProxy } from '../../harness/stand-ins/fault-proxy';
import { push, startStack, type Stack } from '../../harness/receiver-stack';
import { versionedPushes } from '../support/versioned-pushes';

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

async function waitFor(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((ok) => setTimeout(ok, 5));
}
