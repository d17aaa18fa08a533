import { strict as assert } from 'node:assert';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Bundle, Condition, Observation } from 'fhir/r4';
import { compileDefinitions } from '../../src/definitions/compile';
import { mapDoc } from '../../src/core/map-doc';
import { resourceId } from '../../src/core/identity';
import { ROOT } from '../support/repo';
import { assertValidR4 } from '../../src/fhir-validation';

/**
 * A household survey (test/fixtures/forms/hh.xml): a repeat per member, a
 * repeat per illness inside it, each member a db-doc person referenced by a
 * relative db-doc-ref. Facts of the inner repeat are about the member of the
 * outer instance they sit in.
 */
const DEF = {
  form: 'hh',
  observations: [
    { field: 'members.member.age', code: { system: 'http://loinc.org', code: '30525-0', display: 'Age' }, unit: 'a', subject: 'members.member.profile_ref' },
  ],
  conditions: [
    {
      field: 'members.member.illnesses.illness.kind',
      subject: 'members.member.profile_ref',
      answers: { malaria: 'malaria-icd11', cough: 'cough' },
      onset: 'members.member.illnesses.illness.onset',
    },
  ],
};

describe('nested repeats: a fact of an inner repeat instance is about its outer instance', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'hh-'));
  fs.cpSync(path.join(ROOT, 'app_settings'), path.join(root, 'app_settings'), { recursive: true });
  fs.mkdirSync(path.join(root, 'forms/app'), { recursive: true });
  for (const f of fs.readdirSync(path.join(root, 'app_settings/fhir/forms'))) fs.rmSync(path.join(root, 'app_settings/fhir/forms', f));
  fs.copyFileSync(path.join(ROOT, 'test/fixtures/forms/hh.xml'), path.join(root, 'forms/app/hh.xml'));
  fs.writeFileSync(path.join(root, 'app_settings/fhir/forms/hh.json'), JSON.stringify(DEF));
  const { model } = compileDefinitions(root);
  fs.rmSync(root, { recursive: true, force: true });
  const d = model.deployment;
  const doc = {
    _id: 'hh-report-1',
    type: 'data_record',
    form: 'hh',
    reported_date: 1796000000000,
    contact: { _id: 'chw-1' },
    fields: {
      visit_date: '2026-11-28',
      members: {
        member: [
          {
            name: 'Akoth',
            age: '34',
            illnesses: {
              illness: [
                { kind: 'malaria', onset: '2026-11-01' },
                { kind: 'cough', onset: '' },
              ],
            },
            profile: { type: 'person', name: 'Akoth' },
            profile_ref: 'p-a',
          },
          {
            name: 'Baraka',
            age: '3',
            illnesses: { illness: { kind: 'cough', onset: '2026-11-20' } },
            profile: { type: 'person', name: 'Baraka' },
            profile_ref: 'p-b',
          },
          { name: 'Chebet', age: '', illnesses: { illness: [] }, profile: { type: 'person', name: 'Chebet' }, profile_ref: 'p-c' },
        ],
      },
      meta: { instanceID: 'uuid:hh-1' },
    },
  };
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
