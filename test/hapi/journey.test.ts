import { strict as assert } from 'node:assert';
import { preloadR4Definitions } from '../../src/fhir-validation';
import { startHapi } from '../../harness/hapi';
import { journeyProject } from '../../harness/journey';
import { assertClinicallyRight, buildJourney, runJourney, shuffledWithDuplicates, type Journey } from '../support/journey-run';

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
  const store = async () => {
    const hapi = await startHapi();
    return { url: hapi.url, stop: () => hapi.stop() };
  };

  let clinical: Map<string, unknown>;
  it('in clinical order: clinically right, every resource valid R4', async () => {
    const end = await runJourney(journey, store, journey.reports);
    assertClinicallyRight(journey, end);
    clinical = end;
  });
  it('in reverse order: the same end state', async () => {
    assert.deepEqual(await runJourney(journey, store, [...journey.reports].reverse()), clinical);
  });
  it('shuffled with duplicates, through 3 receivers, 6 pushes at a time: the same end state', async () => {
    assert.deepEqual(await runJourney(journey, store, shuffledWithDuplicates(journey.reports, 11), 3, 6), clinical);
  });
});
