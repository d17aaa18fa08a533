import { strict as assert } from 'node:assert';
import http from 'node:http';
import { preloadR4Definitions } from '../../src/fhir-validation';
import { startReceiver, type Receiver } from '../../src/runtime/receiver';
import { startHapi, type Hapi } from '../../harness/hapi';
import { chtRetryLoop } from '../../harness/stand-ins/cht-retry';
import { organizationDocs, patientDoc, pushDocs, reportDoc, type PushDoc } from '../../harness/stand-ins/push-bundles';
import { CREDS, mapLimit, push } from '../../harness/receiver-stack';
import { assertExactlyOnce } from './exactly-once';
import { countOf, historyOf, readKeys } from './fhir-http';
import { sourceVersionOf, withSourceVersion } from '../../src/core/source-version';
import type { FhirResource } from 'fhir/r4';

const ORGS = organizationDocs();

describe('receiver -> HAPI FHIR JPA (default settings: referential integrity on write)', function () {
  this.timeout(600_000);
  let hapi: Hapi;
  let receiver: Receiver;
  let pushUrl: string;
  before(async () => {
    preloadR4Definitions();
    hapi = await startHapi();
    receiver = await startReceiver({ auth: CREDS, fhirBaseUrl: hapi.url });
    pushUrl = `${receiver.url}/cht-fhir/push`;
    for (const o of ORGS) assert.equal((await push(pushUrl, o.body)).status, 200);
  });
  after(async () => {
    await receiver?.close();
    await hapi?.stop();
  });

  it('1,000 pushes (reports often before their patient) sent three times leave exactly one version of each resource', async () => {
    const docs = pushDocs(1000, 11);
    const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
    const passes: Map<number, number>[] = [];
    const written: number[] = [];
    for (let pass = 0; pass < 3; pass++) {
      const answers = await mapLimit(docs, 16, (d) => push(pushUrl, d.body, agent));
      const statuses = new Map<number, number>();
      for (const a of answers) statuses.set(a.status, (statuses.get(a.status) ?? 0) + 1);
      passes.push(statuses);
      written.push(answers.filter((a) => a.status === 200).reduce((n, a) => n + Number(/(\d+) written/.exec(a.text)?.[1]), 0));
      // The only refusal: a report whose patient HAPI does not hold yet, answered 503 (CHT retries), never 4xx.
      answers.forEach(
        (a, i) =>
          a.status !== 200 &&
          assert.match(`${a.status} ${docs[i].docId} ${a.text}`, /^503 report-\d+ .*does not hold Patient\/[0-9a-f-]+ \((Encounter|Observation)\.subject/),
      );
    }
    agent.destroy();
    console.log(`      statuses per pass: ${JSON.stringify(passes.map((m) => Object.fromEntries(m)))}; resources written per pass: ${written.join(', ')}`);
    assert.ok((passes[0].get(503) ?? 0) > 0, 'some reports came before their patient');
    assert.deepEqual([...passes[2].keys()], [200]);
    assert.equal(written[2], 0, 'a third pass finds everything up to date (meta.source stamped by HAPI is not a change)');
    await assertExactlyOnce(hapi.url, docs, { Organization: 7 });
  });

  it('concurrent identical pushes, and pushes sharing resources, leave one version', async () => {
    const patient = patientDoc(5001);
    const report = reportDoc(5001);
    const both = { bundle: { ...report.body.bundle, entry: [...report.body.bundle.entry!, ...patient.body.bundle.entry!] } };
    const first = await Promise.all([push(pushUrl, both), push(pushUrl, both), push(pushUrl, patient.body), push(pushUrl, both)]);
    assert.deepEqual([...new Set(first.map((r) => r.status))], [200], first.map((r) => r.text).join('\n'));
    const again = await Promise.all(Array.from({ length: 20 }, (_x, i) => push(pushUrl, i % 2 ? patient.body : report.body)));
    assert.deepEqual([...new Set(again.map((r) => r.status))], [200]);
    const stored = await readKeys(hapi.url, [...patient.keys, ...report.keys]);
    for (const [key, r] of stored) assert.equal(r.meta?.versionId, '1', key);
    assert.equal(stored.size, 4);
  });

  it("out of order: a report before its patient waits for CHT's next retry (503), then lands; measured in retry rounds", async () => {
    const docs = pushDocs(400, 5).map((d) =>
      d.docId.startsWith('person-') ? patientDoc(6000 + Number(d.docId.slice(7))) : reportDoc(6000 + Number(d.docId.slice(7))),
    );
    const before = Object.fromEntries(await Promise.all(['Patient', 'Encounter', 'Observation'].map(async (t) => [t, await countOf(hapi.url, t)])));
    const agent = new http.Agent({ keepAlive: true, maxSockets: 12 });
    const odd: string[] = [];
    const onAnswer = (d: PushDoc, status: number, text: string) => void (status !== 200 && status !== 503 && odd.push(`${d.docId} ${status} ${text}`));
    const { left, rounds, statuses, deliveredIn } = await chtRetryLoop(pushUrl, docs, agent, { maxRounds: 10, onAnswer });
    assert.deepEqual(odd, []);
    agent.destroy();
    assert.equal(left.length, 0);
    assert.deepEqual([...statuses.keys()].sort(), [200, 503]);
    const waited = [...deliveredIn.values()].filter((r) => r > 1).length;
    console.log(
      `      ${docs.length} pushes: ${waited} waited for a retry (CHT: 5 min each), ${rounds} rounds in all, statuses ${JSON.stringify(Object.fromEntries(statuses))}`,
    );
    for (const d of docs) if ((deliveredIn.get(d.docId) ?? 0) > 1) assert.match(d.docId, /^report-/, 'only reports wait');
    await assertExactlyOnce(hapi.url, docs, before);
  });

  it('CHT pushes versioned by their doc _rev (extension <doc>#<n>): a repeat writes nothing though HAPI rewrites meta.source; the next rev with the same content writes nothing; after a gap it moves the stored version on', async () => {
    const bundleOf = (rev: number) => {
      const b = JSON.parse(JSON.stringify(patientDoc(900_001).body)) as { bundle: { entry: Array<{ resource: FhirResource }> } };
      for (const e of b.bundle.entry)
        e.resource = withSourceVersion(
          e.resource,
          { source: 'https://fhir.example.org/sid/cht-uuid/person-900001', version: rev },
          'https://fhir.example.org/StructureDefinition/source-version',
        );
      return b;
    };
    const written: number[] = [];
    for (const rev of [1, 1, 1, 2, 2, 1, 4, 3, 2]) {
      const a = await push(pushUrl, bundleOf(rev));
      assert.equal(a.status, 200, a.text);
      written.push(Number(/(\d+) written/.exec(a.text)?.[1]));
    }
    // HAPI would suppress an identical PUT anyway; the receiver must not even send it. Rev 2 (next to the stored 1, same
    // content) writes no version; rev 4 (a gap: an unseen 3 may be in flight) is written, so that late 3 cannot come back.
    assert.deepEqual(written, [1, 0, 0, 0, 0, 0, 1, 0, 0]);
    const key = `Patient/${(bundleOf(1).bundle.entry[0].resource as { id: string }).id}`;
    const history = await historyOf(hapi.url, key);
    assert.deepEqual(
      history.map((r) => sourceVersionOf(r)?.version),
      [4, 1],
      'two versions in HAPI, each with its rev',
    );
    assert.match(
      String(history[0].meta?.source),
      /^https:\/\/fhir\.example\.org\/sid\/cht-uuid\/person-900001#/,
      "meta.source: the doc, and HAPI's own fragment",
    );
  });
});
