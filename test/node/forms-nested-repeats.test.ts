import { strict as assert } from 'node:assert';
import type { Bundle, Condition, Observation } from 'fhir/r4';
import { compileDefinitions } from '../../src/compiler/definitions/compile';
import { mapDoc } from '../../src/core/map-doc';
import { resourceId } from '../../src/core/identity';
import { scratchProject } from '../support/scratch-project';
import { HH, hhReport } from '../support/household';
import { assertValidR4 } from '../../src/fhir-validation';

/** Facts of an inner repeat instance are about the member of the outer instance they sit in (test/support/household.ts). */
describe('nested repeats: a fact of an inner repeat instance is about its outer instance', () => {
  const project = scratchProject({ hh: HH });
  const { model } = compileDefinitions(project.root);
  project.close();
  const d = model.deployment;
  const doc = hhReport();
  const bundle: Bundle = mapDoc(model, doc);
  const of = <T>(t: string) => bundle.entry!.map((e) => e.resource!).filter((r) => r.resourceType === t) as T[];
  const who = (ref?: { identifier?: { value?: string } }) => ref?.identifier?.value;

  it('maps to valid R4', () => assertValidR4(bundle));

  it('a Condition per illness instance, about that member, with its own onset and id', () => {
    assert.deepEqual(
      of<Condition>('Condition').map((c) => [c.code?.coding?.[0].code, who(c.subject), c.onsetDateTime, c.id]),
      [
        ['1F4Z', 'p-a', '2026-11-01', resourceId(d, 'Condition', 'uuid:hh-1', 'members.member[1].illnesses.illness[1].kind=malaria')],
        ['49727002', 'p-a', undefined, resourceId(d, 'Condition', 'uuid:hh-1', 'members.member[1].illnesses.illness[2].kind=cough')],
        ['49727002', 'p-b', '2026-11-20', resourceId(d, 'Condition', 'uuid:hh-1', 'members.member[2].illnesses.illness[1].kind=cough')],
      ],
    );
  });

  it('an Observation per member with an answer, none for the empty one', () => {
    assert.deepEqual(
      of<Observation>('Observation').map((o) => [o.valueQuantity?.value, o.valueQuantity?.code, who(o.subject)]),
      [
        [34, 'a', 'p-a'],
        [3, 'a', 'p-b'],
      ],
    );
  });
});
