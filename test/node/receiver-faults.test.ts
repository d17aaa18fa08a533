import { strict as assert } from 'node:assert';
import http from 'node:http';
import { preloadR4Definitions } from '../../src/fhir-validation';
import { startFhirServer, type FhirServer } from '../../src/doubles/fhir-store';
import { startFaultProxy, type FaultProxy } from '../../harness/stand-ins/fault-proxy';
import { chtRetryLoop } from '../../harness/stand-ins/cht-retry';
import { pushDocs } from '../../harness/stand-ins/push-bundles';
import { expectedResources, startStack, storedResources, versionCount, withoutMeta, type Stack } from '../../harness/receiver-stack';

describe('receiver: a third of FHIR calls fail (drop, delay past the deadline, reset after commit, 500)', function () {
  this.timeout(120000);
  let fhir: FhirServer;
  let proxy: FaultProxy;
  let stack: Stack;
  const DEADLINE = 250;

  before(async () => {
    preloadR4Definitions();
    fhir = await startFhirServer();
    proxy = await startFaultProxy({ target: fhir.url, faultRate: 1 / 3, delayMs: DEADLINE * 2, seed: 7 });
    stack = await startStack({ fhir, fhirBaseUrl: proxy.url, deadlineMs: DEADLINE });
  });
  after(async () => {
    await stack?.close();
    await proxy?.close();
    await fhir?.close();
  });

  it('a CHT-like retry loop ends with every doc delivered once and none lost', async () => {
    const docs = pushDocs(400, 3);
    const agent = new http.Agent({ keepAlive: true, maxSockets: 12 });
    const { left, rounds, statuses } = await chtRetryLoop(stack.pushUrl, docs, agent);
    agent.destroy();
    await proxy.close(); // waits for the delayed calls to land late
    const report = { rounds, statuses: Object.fromEntries(statuses), proxy: proxy.stats };
    assert.equal(left.length, 0, JSON.stringify(report));
    // Every fault kind happened, and no failure was blamed on the payload (no 4xx).
    for (const kind of ['drop', 'delay', 'reset', 'error500'] as const) assert.ok(proxy.stats.faults[kind] > 10, JSON.stringify(report));
    assert.ok(
      [...statuses.keys()].every((s) => s === 200 || s >= 500),
      JSON.stringify(report),
    );
    assert.ok([...statuses.keys()].some((s) => s >= 500));

    const expected = expectedResources(docs);
    const stored = await storedResources(fhir.repo);
    assert.equal(stored.size, expected.size, 'one resource per pushed resource: none lost, none duplicated');
    for (const [key, r] of stored) assert.deepEqual(withoutMeta(r), expected.get(key), key);
    // A write held past the deadline can still land after a retry wrote the same content:
    // the only source of a second (identical) version. Nothing else adds versions.
    let extraVersions = 0;
    for (const key of expected.keys()) {
      const n = await versionCount(fhir.repo, key);
      const [type, id] = key.split('/');
      for (const v of (await fhir.repo.readHistory(type, id)).entry ?? []) assert.deepEqual(withoutMeta(v.resource), expected.get(key), key);
      extraVersions += n - 1;
    }
    assert.ok(extraVersions <= proxy.stats.lateWritesCommitted * 3, `${extraVersions} extra versions, ${proxy.stats.lateWritesCommitted} late writes`);
    console.log(`      ${JSON.stringify({ ...report, extraVersions })}`);
  });
});
