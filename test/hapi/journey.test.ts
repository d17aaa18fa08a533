import { strict as assert } from 'node:assert';
import { preloadR4Definitions } from '../../src/fhir-validation';
import { startReceiver, type Receiver } from '../../src/receiver';
import { startRoundRobin } from '../stand-ins/round-robin';
import { startHapi } from '../support/hapi';
import { journeyProject } from '../support/journey';
import { assertClinicallyRight, buildJourney, endState, pushAll, shuffledWithDuplicates, type Journey } from '../support/journey-run';
import { CREDS } from '../node/receiver-helpers';

/**
 * The pregnancy journey of test/node/journey.test.ts on HAPI FHIR JPA
 * (referential integrity on): 20 women, clinical, reverse and shuffled
 * orders with duplicates and a late edit, and through 3 receivers at once,
 * each on a fresh HAPI. The end states are identical and clinically right.
 */
describe('the longitudinal record on HAPI FHIR JPA: a pregnancy journey in any order', function () {
  this.timeout(900_000);
  const project = journeyProject();
  let journey: Journey;
  before(async () => {
    preloadR4Definitions();
    journey = await buildJourney(project.root, 20);
  });
  after(() => project.close());

  const run = async (order: Journey['reports'], receivers = 1, concurrency = 1) => {
    const hapi = await startHapi();
    const started: Receiver[] = [];
    try {
      for (let i = 0; i < receivers; i++) started.push(await startReceiver({ auth: CREDS, fhirBaseUrl: hapi.url }));
      const front = receivers > 1 ? await startRoundRobin(started.map((r) => r.url)) : undefined;
      try {
        const url = `${front?.url ?? started[0].url}/cht-fhir/push`;
        await pushAll(url, journey.contacts);
        await pushAll(url, order, concurrency);
        for (const r of started) await r.lateChecksDone();
        return await endState(hapi.url);
      } finally {
        await front?.close();
      }
    } finally {
      for (const r of started) await r.close();
      await hapi.stop();
    }
  };

  let clinical: Awaited<ReturnType<typeof run>>;
  it('in clinical order: clinically right, every resource valid R4', async () => {
    clinical = await run(journey.reports);
    assertClinicallyRight(journey, clinical);
  });
  it('in reverse order: the same end state', async () => {
    assert.deepEqual(await run([...journey.reports].reverse()), clinical);
  });
  it('shuffled with duplicates, through 3 receivers, 6 pushes at a time: the same end state', async () => {
    assert.deepEqual(await run(shuffledWithDuplicates(journey.reports, 11), 3, 6), clinical);
  });
});
