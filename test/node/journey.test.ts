import { strict as assert } from 'node:assert';
import { startFhirServer } from '../../src/fhir-server';
import { startReceiver, type Receiver } from '../../src/receiver';
import { startRoundRobin } from '../stand-ins/round-robin';
import { journeyProject } from '../support/journey';
import { assertClinicallyRight, buildJourney, endState, pushAll, shuffledWithDuplicates, type Journey } from '../support/journey-run';
import { CREDS } from './receiver-helpers';

/**
 * Issue 22: a clinician reads a woman's record after months of visits that
 * synced from offline phones in any order. 20 women: registration, home
 * visits (one with danger signs), a danger-sign follow-up, delivery (twins
 * every fourth), a PNC follow-up, a second pregnancy, and the registration
 * edited after the delivery arrived. Pushed in clinical order, in reverse,
 * and shuffled with duplicates (also through 3 receivers at once): the FHIR
 * end state is the same and clinically right.
 */
describe('the longitudinal record: a pregnancy journey in any order (embedded store)', function () {
  this.timeout(600000);
  const project = journeyProject();
  let journey: Journey;
  before(async () => (journey = await buildJourney(project.root, 20)));
  after(() => project.close());

  const run = async (order: Journey['reports'], receivers = 1, concurrency = 1) => {
    const fhir = await startFhirServer();
    const started: Receiver[] = [];
    for (let i = 0; i < receivers; i++) started.push(await startReceiver({ auth: CREDS, fhirBaseUrl: fhir.url }));
    const front = receivers > 1 ? await startRoundRobin(started.map((r) => r.url)) : undefined;
    try {
      const url = `${front?.url ?? started[0].url}/cht-fhir/push`;
      await pushAll(url, journey.contacts);
      await pushAll(url, order, concurrency);
      return await endState(fhir.url);
    } finally {
      await front?.close();
      for (const r of started) await r.close();
      await fhir.close();
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
  it('shuffled, with duplicates: the same end state', async () => {
    assert.deepEqual(await run(shuffledWithDuplicates(journey.reports, 7)), clinical);
  });
  it('shuffled, with duplicates, through 3 receivers, 6 pushes at a time: the same end state', async () => {
    assert.deepEqual(await run(shuffledWithDuplicates(journey.reports, 11), 3, 6), clinical);
  });
});
