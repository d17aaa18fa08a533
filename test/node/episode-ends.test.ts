import { strict as assert } from 'node:assert';
import type { Bundle, Condition, EpisodeOfCare } from 'fhir/r4';
import { compileDefinitions } from '../../src/compiler/definitions/compile';
import { DefinitionError } from '../../src/compiler/definitions/load';
import { mapDoc } from '../../src/core/map-doc';
import { assertValidR4 } from '../../src/fhir-validation';
import { scratchProject } from '../support/scratch-project';
import { CONCEPTS, VISIT, visitReport } from '../support/form-constructs';

/**
 * A home visit ends the pregnancy episode only when it reports the pregnancy
 * ended (CHT's pregnancy_home_visit: visit_option miscarriage or abortion,
 * with the day): `closes` with `when`, and `end` fields tried in order.
 * Any other visit belongs to the episode and leaves its status alone.
 */
const HOME_VISIT = {
  ...VISIT,
  episodes: [
    {
      type: 'pregnancy',
      field: 'pregnancy_uuid',
      closes: true,
      when: "${visit_option} = 'miscarriage' or ${visit_option} = 'abortion'",
      end: ['pregnancy_ended.miscarriage_date', 'pregnancy_ended.abortion_date'],
    },
  ],
  conditions: [
    ...VISIT.conditions,
    {
      code: 'pregnancy',
      scope: 'episode',
      clinical_status: 'resolved',
      abatement: 'pregnancy_ended.miscarriage_date',
      when: "${visit_option} = 'miscarriage'",
    },
  ],
};

function compile(def: object) {
  const project = scratchProject({ anc_home_visit: def }, CONCEPTS);
  try {
    return compileDefinitions(project.root);
  } finally {
    project.close();
  }
}

const episodeOf = (b: Bundle) => (b.entry ?? []).map((e) => e.resource!).find((r): r is EpisodeOfCare => r.resourceType === 'EpisodeOfCare');
const STATEMENT = /StructureDefinition\/statement$/;
const claimed = (r: EpisodeOfCare) =>
  (r.extension ?? [])
    .filter((x) => STATEMENT.test(x.url))
    .flatMap((x) => x.extension ?? [])
    .filter((x) => x.url === 'slot')
    .map((x) => x.valueCode);

describe('an episode a report ends only when its when holds (issue 24: miscarriage, abortion)', () => {
  const { model } = compile(HOME_VISIT);
  const visit = (ended: Record<string, string>) => mapDoc(model, visitReport({ pregnancy_uuid: 'preg-report-1', pregnancy_ended: ended }));

  it('a miscarriage ends the episode on its day, and resolves the pregnancy', () => {
    const b = visit({ visit_option: 'miscarriage', miscarriage_date: '2026-11-18' });
    for (const e of b.entry ?? []) assertValidR4(e.resource);
    const ep = episodeOf(b)!;
    assert.equal(ep.status, 'finished');
    assert.equal(ep.period?.end, '2026-11-18');
    assert.ok(claimed(ep).includes('status'));
    const conditions = (b.entry ?? []).map((e) => e.resource!).filter((r): r is Condition => r.resourceType === 'Condition');
    const pregnancy = conditions.find((c) => c.code?.text === 'Pregnancy');
    assert.equal(pregnancy?.clinicalStatus?.coding?.[0]?.code, 'resolved');
  });

  it('an abortion ends it on the day of the second end field', () => {
    const ep = episodeOf(visit({ visit_option: 'abortion', abortion_date: '2026-11-10' }))!;
    assert.equal(ep.status, 'finished');
    assert.equal(ep.period?.end, '2026-11-10');
  });

  it('a visit of a continuing pregnancy belongs to the episode and claims no status: a late visit cannot re-open it', () => {
    const ep = episodeOf(visit({ visit_option: 'continuing' }))!;
    assert.equal(ep.status, 'active');
    assert.equal(ep.period, undefined);
    assert.ok(!claimed(ep).includes('status'), 'status is a default it does not claim');
  });

  it("refuses 'when' on an episode the report does not close", () => {
    assert.throws(
      () => compile({ ...HOME_VISIT, episodes: [{ ...HOME_VISIT.episodes[0], closes: false, end: undefined }] }),
      (e: unknown) =>
        e instanceof DefinitionError &&
        e.problems.some((p) => /\/episodes\/0\/when: 'when' says when the report closes the episode: it goes with 'closes': true/.test(p)),
    );
  });

  it('refuses an end field that is not a date, naming its place in the list', () => {
    assert.throws(
      () => compile({ ...HOME_VISIT, episodes: [{ ...HOME_VISIT.episodes[0], end: ['pregnancy_ended.miscarriage_date', 'pregnancy_ended.visit_option'] }] }),
      (e: unknown) =>
        e instanceof DefinitionError && e.problems.some((p) => /\/episodes\/0\/end\/1: 'pregnancy_ended\.visit_option' is a select1 field, not a date/.test(p)),
    );
  });
});
