import { strict as assert } from 'node:assert';
import { startFhirServer } from '../../src/fhir-server';
import { journeyProject } from '../support/journey';
import { assertClinicallyRight, buildJourney, runJourney, shuffledWithDuplicates, type Journey } from '../support/journey-run';

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
  const store = async () => {
    const fhir = await startFhirServer();
    return { url: fhir.url, stop: () => fhir.close() };
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
  it('shuffled, with duplicates: the same end state', async () => {
    assert.deepEqual(await runJourney(journey, store, shuffledWithDuplicates(journey.reports, 7)), clinical);
  });
  it('shuffled, with duplicates, through 3 receivers, 6 pushes at a time: the same end state', async () => {
    assert.deepEqual(await runJourney(journey, store, shuffledWithDuplicates(journey.reports, 11), 3, 6), clinical);
  });
});
