import { strict as assert } from 'node:assert';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { preloadR4Definitions } from '../../src/fhir-validation';
import { startReceiver, type Receiver } from '../../src/runtime/receiver';
import { startHapi, type Hapi } from '../../harness/hapi';
import { chtRetryLoop } from '../../harness/stand-ins/cht-retry';
import { organizationDocs, pushDocs } from '../../harness/stand-ins/push-bundles';
import { CREDS } from '../../harness/receiver-stack';
import { assertExactlyOnce } from './exactly-once';

describe('HAPI killed (SIGKILL) mid-burst and restarted on its H2 files', function () {
  this.timeout(600_000);
  let hapi: Hapi;
  let receiver: Receiver;
  let dir: string;
  before(async () => {
    preloadR4Definitions();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cht-fhir-hapi-'));
    hapi = await startHapi({ database: path.join(dir, 'hapi') });
    receiver = await startReceiver({ auth: CREDS, fhirBaseUrl: hapi.url });
  });
  after(async () => {
    await receiver?.close();
    await hapi?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('a CHT-like retry loop ends with every push 2xx: nothing lost, nothing duplicated', async () => {
    const docs = [...organizationDocs(), ...pushDocs(600, 21)];
    let answered = 0;
    const agent = new http.Agent({ keepAlive: true, maxSockets: 12 });
    const loop = chtRetryLoop(`${receiver.url}/cht-fhir/push`, docs, agent, {
      concurrency: 12,
      pauseMs: 1000,
      maxRounds: 200,
      onAnswer: () => void answered++,
    });
    // Kill once a quarter of the first round has been answered, with a dozen pushes in flight.
    for (let i = 0; i < 1200 && answered < docs.length / 4; i++) await new Promise((ok) => setTimeout(ok, 50));
    const atKill = answered;
    await hapi.kill();
    await hapi.restart();
    const { left, rounds, statuses } = await loop;
    agent.destroy();
    console.log(
      `      killed after ${atKill} answers; restart took ${hapi.startupMs} ms; ${rounds} rounds; statuses ${JSON.stringify(Object.fromEntries(statuses))}`,
    );
    assert.ok(atKill > 0 && atKill < docs.length, 'HAPI died mid-burst');
    assert.equal(left.length, 0);
    assert.ok(
      [...statuses.keys()].every((s) => s === 200 || s === 502 || s === 503 || s === 504),
      JSON.stringify(Object.fromEntries(statuses)),
    );
    assert.ok((statuses.get(502) ?? 0) > 0, 'pushes failed while HAPI was down');
    await assertExactlyOnce(hapi.url, docs);
  });
});
