import { strict as assert } from 'node:assert';
import type { Bundle, FhirResource, Patient } from 'fhir/r4';
import { compileDefinitions } from '../../src/definitions/compile';
import { mapDoc } from '../../src/core/map-doc';
import { transactionOf } from '../../src/core/bundle';
import { sourceVersionOf, withSourceVersion } from '../../src/core/source-version';
import { systems } from '../../src/core/identity';
import { hydrate } from '../../src/outbound/hydrate';
import { sampleContacts, sampleReports } from '../support/samples';
import { ROOT } from '../support/repo';
import { decide } from '../../src/receiver/deliver';
import { assertValidR4, preloadR4Definitions } from '../../src/fhir-validation';
import { startFhirServer, type FhirServer } from '../../src/fhir-server';
import { startFaultProxy, type FaultProxy } from '../stand-ins/fault-proxy';
import { push, startStack, type Stack } from './receiver-helpers';

/**
 * The newest source version wins, whatever order pushes arrive or commit in.
 * A proxy between the receiver and the embedded FHIR store holds a
 * transaction past the receiver's deadline and lets it commit late; a proxy
 * in front of the receiver holds, reorders and replays whole pushes (as
 * OpenHIM's auto-retry does). Each race runs with an outbox-style push
 * (`meta.source` `urn:uuid:<queue>#<seq>`) and a CHT-style one (a contact doc
 * mapped by the outbound core, versioned by its `_rev`). HAPI is not covered
 * here (another issue): these run against the embedded store only.
 */
describe('receiver: the newest source version wins (late commits, replays, reordering)', function () {
  this.timeout(30000);
  const DEADLINE = 400;
  const compiled = compileDefinitions(ROOT);
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

  /** Version `n` of one resource, as each kind of client pushes it; `name` tells the versions apart. */
  const kinds: Record<string, (n: number) => { body: unknown; key: string; name: (r: FhirResource) => string | undefined }> = {
    outbox: (n) => {
      const id = `versions-${run}`;
      const p = withSourceVersion<Patient>({ resourceType: 'Patient', id, name: [{ family: `V${n}` }] }, { source: `urn:uuid:5b0e9f7c-1c1d-4f55-9b1e-3f0c7d1e${String(run).padStart(4, '0')}`, version: n });
      return { body: transactionOf([p]), key: `Patient/${id}`, name: (r) => (r as Patient).name?.[0]?.family };
    },
    cht: (n) => {
      const bundle = mapDoc(compiled.model, { _id: `person-versions-${run}`, _rev: `${n}-abc${n}`, type: 'person', name: `V${n}`, parent: { _id: 'hc-1' }, reported_date: 0 });
      const patient = bundle.entry!.find((e) => e.resource!.resourceType === 'Patient')!.resource as Patient;
      return { body: { bundle }, key: `Patient/${patient.id}`, name: (r) => (r as Patient).name?.[0]?.text };
    },
  };

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
        assertValidR4((kind === 'cht' ? (v1.body as { bundle: Bundle }).bundle : v1.body) as Bundle);
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
    for (const [type, v] of versions) {
      assert.ok(v, `${type} has a source version`);
      if (type === 'Practitioner') assert.deepEqual(v, { source: `${chtId}/${submitter}`, version: 4 });
      else if (type === 'Encounter' || type === 'Observation' || type === 'QuestionnaireResponse') assert.deepEqual(v, { source: `${chtId}/${report._id}`, version: 7 });
    }
    assert.ok(versions.some(([type]) => type === 'Practitioner'), 'the sample report carries its submitter');
  });

  it('a doc without _rev (a preview) gives unversioned resources', () => {
    const bundle = mapDoc(model, hydrate(sampleReports()[0], sampleContacts()));
    for (const e of bundle.entry!) assert.equal(sourceVersionOf(e.resource), undefined);
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
  const patient = (family: string, source?: string): Patient => ({ resourceType: 'Patient', id: 'p', name: [{ family }], ...(source ? { meta: { source } } : {}) });

  it('orders by version within one source; otherwise compares content, never meta.source', () => {
    assert.equal(decide(patient('A', `${src}#3`), undefined), 'write');
    assert.equal(decide(patient('A', `${src}#3`), patient('B', `${src}#5`)), 'superseded');
    assert.equal(decide(patient('A', `${src}#5`), patient('A', `${src}#5`)), 'unchanged');
    assert.equal(decide(patient('A', `${src}#6`), patient('A', `${src}#5`)), 'write', 'the stored version keeps up');
    // HAPI JPA stores `<source>#<its request id>`: no version to compare, so content decides, and a repeat writes nothing.
    assert.equal(decide(patient('A', `${src}#3`), patient('A', `${src}#Xq7fPbUe9kLm2Rt0`)), 'unchanged');
    assert.equal(decide(patient('A'), patient('A', '#Xq7fPbUe9kLm2Rt0')), 'unchanged');
    assert.equal(decide(patient('A', `${src}#3`), patient('B', `${src}#Xq7fPbUe9kLm2Rt0`)), 'write');
  });
});

async function waitFor(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((ok) => setTimeout(ok, 5));
}
