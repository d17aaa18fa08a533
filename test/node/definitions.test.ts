import { strict as assert } from 'node:assert';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { compileDefinitions } from '../../src/compiler/definitions/compile';
import { DefinitionError } from '../../src/compiler/definitions/load';
import { ROOT } from '../../harness/repo';
import { mapDoc } from '../../src/core/map-doc';
import { assertValidR4 } from '../../src/fhir-validation';
import type { Bundle } from 'fhir/r4';

/** A throwaway copy of the project's config to break in one place. */
function project(edit: (root: string) => void): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'defs-'));
  fs.cpSync(path.join(ROOT, 'app_settings'), path.join(root, 'app_settings'), { recursive: true });
  fs.cpSync(path.join(ROOT, 'forms'), path.join(root, 'forms'), { recursive: true });
  edit(root);
  return root;
}

function editJson(root: string, rel: string, fn: (j: any) => void) {
  const file = path.join(root, rel);
  const json = JSON.parse(fs.readFileSync(file, 'utf8'));
  fn(json);
  fs.writeFileSync(file, JSON.stringify(json));
}

function problemsOf(root: string): string[] {
  try {
    compileDefinitions(root);
  } catch (e) {
    assert.ok(e instanceof DefinitionError, String(e));
    return e.problems;
  }
  assert.fail('expected a DefinitionError');
}

describe('mapping definitions', () => {
  it('the reference definitions compile', () => {
    const { model } = compileDefinitions(ROOT);
    assert.deepEqual(Object.keys(model.forms).sort(), ['childbirth', 'death_report', 'pregnancy_visit', 'referral_follow_up', 'sick_child']);
    assert.deepEqual(model.contacts.types, { district_hospital: 'Place', health_center: 'Place', clinic: 'Place', person: 'Patient' });
    assert.equal(model.forms.sick_child.shape.muac_cm, 'd');
  });

  const cases: Array<[string, (root: string) => void, RegExp]> = [
    [
      'unknown property',
      (r) => editJson(r, 'app_settings/fhir/forms/sick_child.json', (j) => (j.observations[1].units = 'Cel')),
      /forms\/sick_child\.json: \/observations\/1: unknown property 'units'/,
    ],
    [
      'field not in the XForm',
      (r) => editJson(r, 'app_settings/fhir/forms/sick_child.json', (j) => (j.observations[1].field = 'temp')),
      /sick_child\.json: \/observations\/1\/field: 'temp' is not a field of forms\/app\/sick_child\.xml/,
    ],
    [
      'invalid UCUM unit',
      (r) => editJson(r, 'app_settings/fhir/forms/sick_child.json', (j) => (j.observations[1].unit = 'degrees')),
      /\/observations\/1\/unit: 'degrees' is not a valid UCUM unit/,
    ],
    [
      'unknown concept key',
      (r) => editJson(r, 'app_settings/fhir/forms/sick_child.json', (j) => (j.observations[1].code = 'temprature')),
      /\/observations\/1\/code: 'temprature' is not a concept/,
    ],
    [
      'answer not a choice of the select',
      (r) => editJson(r, 'app_settings/fhir/forms/sick_child.json', (j) => (j.conditions[0].answers.measles = 'fever')),
      /\/conditions\/0\/answers\/measles: 'measles' is not a choice of 'diagnosis' \(choices: malaria, pneumonia/,
    ],
    [
      'coded value without answers',
      (r) => editJson(r, 'app_settings/fhir/forms/sick_child.json', (j) => delete j.observations[3].answers),
      /\/observations\/3: a coded value needs 'answers'/,
    ],
    [
      'bad enum',
      (r) => editJson(r, 'app_settings/fhir/forms/sick_child.json', (j) => (j.conditions[0].category = 'diagnosis')),
      /\/conditions\/0\/category: must be one of "encounter-diagnosis", "problem-list-item"/,
    ],
    [
      'form name vs file',
      (r) => editJson(r, 'app_settings/fhir/forms/sick_child.json', (j) => (j.form = 'sick_kid')),
      /sick_child\.json: \/form: 'sick_kid' does not match the file name/,
    ],
    ['no XForm', (r) => fs.rmSync(path.join(r, 'forms/app/death_report.xml')), /death_report\.json: \/form: no XForm forms\/app\/death_report\.xml/],
    [
      'broken XForm',
      (r) => fs.writeFileSync(path.join(r, 'forms/app/death_report.xml'), '<h:html><oops'),
      /forms\/app\/death_report\.xml: not well-formed XML/,
    ],
    [
      'invalid JSON',
      (r) => fs.writeFileSync(path.join(r, 'app_settings/fhir/forms/death_report.json'), '{"form": "death_report",'),
      /death_report\.json: .*JSON/,
    ],
    [
      'bad namespace',
      (r) => editJson(r, 'app_settings/fhir/settings.json', (j) => (j.id_namespace = 'not-a-uuid')),
      /settings\.json: \/id_namespace: must match pattern/,
    ],
    [
      'a secret in the destination',
      (r) => editJson(r, 'app_settings/fhir/settings.json', (j) => (j.destination.auth.password = 'hunter2')),
      /settings\.json: \/destination\/auth: unknown property 'password'/,
    ],
    [
      'unknown contact type',
      (r) => editJson(r, 'app_settings/fhir/contacts.json', (j) => (j.types = { household: 'Place' })),
      /contacts\.json: \/types\/household: not a contact type/,
    ],
    [
      'person type as a place',
      (r) => editJson(r, 'app_settings/fhir/contacts.json', (j) => (j.types = { person: 'Place' })),
      /contacts\.json: \/types\/person: a person type cannot become Place/,
    ],
    [
      'terminology unit',
      (r) => editJson(r, 'app_settings/fhir/terminology.json', (j) => (j.units['kilo'] = { display: 'kilo' })),
      /terminology\.json: \/units\/kilo: not a valid UCUM unit/,
    ],
    ['missing settings', (r) => fs.rmSync(path.join(r, 'app_settings/fhir/settings.json')), /settings\.json: ENOENT/],
  ];
  for (const [label, edit, expected] of cases) {
    it(`a bad definition fails the build with file, path and reason: ${label}`, () => {
      const root = project(edit);
      try {
        const problems = problemsOf(root);
        assert.ok(
          problems.some((p) => expected.test(p)),
          `${expected} not in:\n${problems.join('\n')}`,
        );
      } finally {
        fs.rmSync(root, { recursive: true, force: true });
      }
    });
  }

  it('reports every problem at once, not just the first', () => {
    const root = project((r) => {
      editJson(r, 'app_settings/fhir/forms/sick_child.json', (j) => (j.observations[1].unit = 'degrees'));
      editJson(r, 'app_settings/fhir/forms/pregnancy_visit.json', (j) => (j.observations[0].field = 'nope'));
    });
    assert.equal(problemsOf(root).length, 2);
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('follows a configurable hierarchy from contact_types, with no mapping file', () => {
    const root = project((r) => {
      fs.rmSync(path.join(r, 'app_settings/fhir/contacts.json'));
      editJson(r, 'app_settings/base_settings.json', (j) => {
        j.contact_types = [
          { id: 'region', parents: [] },
          { id: 'household', parents: ['region'] },
          { id: 'household_member', parents: ['household'], person: true },
          { id: 'community_health_worker', parents: ['region'], person: true },
        ];
      });
      fs.writeFileSync(path.join(r, 'app_settings/fhir/contacts.json'), JSON.stringify({ types: { community_health_worker: 'Practitioner' } }));
    });
    const { model } = compileDefinitions(root);
    fs.rmSync(root, { recursive: true, force: true });
    assert.deepEqual(model.contacts.types, { region: 'Place', household: 'Place', household_member: 'Patient', community_health_worker: 'Practitioner' });
    const member = mapDoc(model, { _id: 'm1', type: 'contact', contact_type: 'household_member', name: 'A', parent: { _id: 'h1', parent: { _id: 'r1' } } });
    const chw = mapDoc(model, { _id: 'c1', type: 'contact', contact_type: 'community_health_worker', name: 'B', parent: { _id: 'r1' } });
    const household = mapDoc(model, { _id: 'h1', type: 'contact', contact_type: 'household', name: 'H', parent: { _id: 'r1' } });
    const types = (b: Bundle) => (b.entry ?? []).map((e) => e.resource?.resourceType);
    assert.deepEqual(types(member), ['Patient']);
    assert.deepEqual(types(chw), ['Practitioner', 'PractitionerRole']);
    assert.deepEqual(types(household), ['Organization', 'Location']);
    const org = household.entry![0].resource as { partOf?: { identifier?: { value?: string } } };
    assert.equal(org.partOf?.identifier?.value, 'r1');
    for (const b of [member, chw, household]) assertValidR4(b);
  });
});

describe('inbound mapping definitions', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { compileInbound } = require('../../src/compiler/definitions/inbound') as typeof import('../../src/compiler/definitions/inbound');

  it('the reference inbound mappings compile, FHIRPath included', () => {
    const mappings = compileInbound(ROOT);
    assert.deepEqual(
      mappings.map((m) => m.def.name),
      ['patient', 'referral-outcome', 'referral'],
    );
    const sr = { resourceType: 'ServiceRequest', id: 'sr1', status: 'active', intent: 'order', subject: { reference: 'Patient/x' } };
    const referral = mappings.find((m) => m.def.name === 'referral')!;
    assert.deepEqual(referral.where!(sr), [true]);
    assert.deepEqual(referral.fields.service_request.compiled(sr), ['ServiceRequest/sr1']);
    const outcome = mappings.find((m) => m.def.name === 'referral-outcome')!;
    const task = {
      resourceType: 'Task',
      id: 't1',
      status: 'completed',
      intent: 'order',
      basedOn: [{ reference: 'ServiceRequest/sr1' }],
      note: [{ text: 'seen' }],
    };
    assert.deepEqual(outcome.where!(task), [true]);
    assert.deepEqual(outcome.where!({ ...task, status: 'draft' }), [false]);
    assert.deepEqual(outcome.fields.service_request.compiled(task), ['ServiceRequest/sr1']);
    assert.deepEqual(outcome.fields.outcome.compiled(task), ['seen']);
  });

  const cases: Array<[string, (root: string) => void, RegExp]> = [
    [
      'invalid FHIRPath',
      (r) => editJson(r, 'app_settings/fhir/inbound/referral.json', (j) => (j.fields.reason = 'reasonCode.first(.text')),
      /inbound\/referral\.json: \/fields\/reason: invalid FHIRPath 'reasonCode\.first\(\.text'/,
    ],
    [
      'invalid where',
      (r) => editJson(r, 'app_settings/fhir/inbound/referral.json', (j) => (j.where = "status = = 'active'")),
      /inbound\/referral\.json: \/where: invalid FHIRPath/,
    ],
    [
      'unknown JSON form',
      (r) => editJson(r, 'app_settings/fhir/inbound/referral.json', (j) => (j.form = 'REFERAL')),
      /\/form: 'REFERAL' is not a JSON form in the app settings' forms/,
    ],
    [
      'field the JSON form does not declare',
      (r) => editJson(r, 'app_settings/fhir/inbound/referral.json', (j) => (j.fields.urgency = 'priority')),
      /\/fields\/urgency: not a field of JSON form REFERRAL/,
    ],
    [
      'a required JSON form field left unmapped',
      (r) => editJson(r, 'app_settings/fhir/inbound/referral.json', (j) => delete j.fields.service_request),
      /\/fields: JSON form REFERRAL requires 'service_request'/,
    ],
    [
      'unknown write',
      (r) => editJson(r, 'app_settings/fhir/inbound/patient.json', (j) => (j.write = 'place')),
      /inbound\/patient\.json: \/write: must be one of "report", "person"/,
    ],
    [
      'a person with no parent',
      (r) => editJson(r, 'app_settings/fhir/inbound/patient.json', (j) => delete j.parent),
      /inbound\/patient\.json: \/parent: a person needs/,
    ],
  ];
  for (const [label, edit, expected] of cases) {
    it(`a bad inbound definition fails the build with file, path and reason: ${label}`, () => {
      const root = project(edit);
      try {
        assert.throws(
          () => compileInbound(root),
          (e: unknown) =>
            (e instanceof DefinitionError && e.problems.some((p) => expected.test(p))) || assert.fail(`${expected} not in ${String((e as Error).message)}`),
        );
      } finally {
        fs.rmSync(root, { recursive: true, force: true });
      }
    });
  }
});

describe('JSON Schemas for editors (app_settings/fhir/schema/)', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { schemaFiles, schemaFileText } = require('../../src/compiler/definitions/schema') as typeof import('../../src/compiler/definitions/schema');

  it('are the schemas the build checks with (run `npm run build` when this fails)', () => {
    for (const [name, schema] of Object.entries(schemaFiles)) {
      assert.equal(fs.readFileSync(path.join(ROOT, 'app_settings/fhir/schema', name), 'utf8'), schemaFileText(name, schema), name);
    }
  });

  it('every definition file names its schema, and the schema file exists', () => {
    const dir = path.join(ROOT, 'app_settings/fhir');
    const files = [
      'settings.json',
      'contacts.json',
      'terminology.json',
      ...fs.readdirSync(path.join(dir, 'forms')).map((f) => `forms/${f}`),
      ...fs.readdirSync(path.join(dir, 'inbound')).map((f) => `inbound/${f}`),
    ];
    for (const f of files) {
      const ref = JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')).$schema;
      assert.ok(typeof ref === 'string' && fs.existsSync(path.resolve(path.dirname(path.join(dir, f)), ref)), `${f}: $schema ${ref}`);
    }
  });
});
