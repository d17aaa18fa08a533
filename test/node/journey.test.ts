import { strict as assert } from 'node:assert';
import { startFhirServer } from '../../src/doubles/fhir-store';
import type { Condition } from 'fhir/r4';
import { journeyDocs, journeyProject } from '../../harness/journey';
import { compileDefinitions } from '../../src/compiler/definitions/compile';
import { mapDoc } from '../../src/core/map-doc';
import { hydrate } from '../../src/doubles/cht-outbound-push/hydrate';
import { statementsOf } from '../../src/core/statement';
import { sampleContacts } from '../../harness/samples';
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

  it("a home visit not opened from a task (no pregnancy _id) still makes its danger signs, as that report's own Conditions", async () => {
    const { model } = compileDefinitions(project.root);
    const j = journeyDocs(1);
    const visit = j.reports[1];
    const orphan = { ...visit, fields: { ...(visit.fields as Record<string, unknown>), pregnancy_uuid: '', inputs: { source: 'contact' } } };
    const entries = mapDoc(model, hydrate(orphan, [...sampleContacts(), ...j.contacts])).entry ?? [];
    const conditions = entries.map((e) => e.resource!).filter((r): r is Condition => r.resourceType === 'Condition');
    assert.deepEqual(conditions.map((c) => c.code?.coding?.[0]?.display).sort(), ['Bleeding from vagina', 'Fever', 'Pregnancy']);
    for (const c of conditions) assert.deepEqual(statementsOf(c), [], 'shared with no other report');
    assert.equal(entries.filter((e) => e.resource!.resourceType === 'EpisodeOfCare').length, 0);
  });

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
