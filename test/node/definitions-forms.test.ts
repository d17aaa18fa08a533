import { strict as assert } from 'node:assert';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { compileDefinitions } from '../../src/compiler/definitions/compile';
import { fullPath } from '../../src/core/fields';
import { DefinitionError } from '../../src/compiler/definitions/load';
import { ROOT } from '../../harness/repo';
import { mapDoc } from '../../src/core/map-doc';
import { hydrate } from '../../src/doubles/cht-outbound-push/hydrate';
import { sampleContacts, sampleReports } from '../../harness/samples';

/**
 * Definitions over CHT-style forms: every path, answer, subject and `when`
 * must resolve in the XForm, or the build fails naming the file, the JSON
 * path, what was found and what to do. Nothing is accepted and then ignored.
 */
/** The childbirth form with a maternal death report saved as its own doc, and a date kept for display. */
function withReportSection(xml: string): string {
  return xml
    .replace(
      '<danger_signs/>\n          </mother>',
      '<danger_signs/>\n            <death_report db-doc="true"><form>death_report</form><type/></death_report>\n            <death_doc db-doc-ref="/childbirth/mother/death_report"/>\n            <pnc_day/>\n          </mother>',
    )
    .replace(
      '<bind nodeset="/childbirth/mother/outcome"',
      `<bind nodeset="/childbirth/mother/death_report/type" type="string" calculate="'data_record'"/>\n      <bind nodeset="/childbirth/mother/pnc_day" type="string" calculate="format-date( /childbirth/next_pnc_visit , '%e %b, %Y')"/>\n      <bind nodeset="/childbirth/mother/outcome"`,
    );
}

function problemsWith(edit: (def: any) => void, editXml: (xml: string) => string = (x) => x): string[] {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'defs-forms-'));
  try {
    fs.cpSync(path.join(ROOT, 'app_settings'), path.join(root, 'app_settings'), { recursive: true });
    fs.cpSync(path.join(ROOT, 'forms'), path.join(root, 'forms'), { recursive: true });
    const xform = path.join(root, 'forms/app/childbirth.xml');
    fs.writeFileSync(xform, editXml(fs.readFileSync(xform, 'utf8')));
    const file = path.join(root, 'app_settings/fhir/forms/childbirth.json');
    const def = JSON.parse(fs.readFileSync(file, 'utf8'));
    edit(def);
    fs.writeFileSync(file, JSON.stringify(def));
    compileDefinitions(root);
  } catch (e) {
    assert.ok(e instanceof DefinitionError, String(e));
    return e.problems;
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
  assert.fail('expected a DefinitionError');
}

const F = 'app_settings/fhir/forms/childbirth.json';
const cases: Array<[string, (def: any) => void, RegExp]> = [
  [
    'a choice that only an itemset lists is checked against it',
    (j) => (j.procedures[0].answers.vacuum = 'assisted-delivery'),
    /procedures\/0\/answers\/vacuum: 'vacuum' is not a choice of 'outcome.delivery_mode' \(choices: vaginal, assisted, cesarean\)/,
  ],
  [
    'a field under a repeat named without the repeat',
    (j) => (j.observations[1].field = 'babies.baby_details.birth_weight'),
    /observations\/1\/field: 'babies.baby_details.birth_weight' is not a field of forms\/app\/childbirth.xml \(did you mean 'babies.baby.baby_details.birth_weight'\?\)/,
  ],
  [
    'a repeat named as a field',
    (j) => (j.observations[1].field = 'babies.baby'),
    /observations\/1\/field: 'babies.baby' is a repeat of forms\/app\/childbirth.xml, not a field/,
  ],
  [
    'a subject that holds no person id',
    (j) => (j.observations[1].subject = 'babies.baby.baby_details.name'),
    /observations\/1\/subject: 'babies.baby.baby_details.name' holds no person's _id: use a db-doc-ref field/,
  ],
  [
    'a subject db-doc-ref to the report itself',
    (j) => (j.observations[1].subject = 'babies.baby.baby_profile.created_by_doc'),
    /observations\/1\/subject: 'babies.baby.baby_profile.created_by_doc' holds no person's _id/,
  ],
  [
    'a subject in a repeat the rule is not in',
    (j) => (j.observations[0].subject = 'babies.baby.child_doc'),
    /observations\/0\/subject: 'babies.baby.child_doc' is inside repeat 'babies.baby' but the rule's field 'outcome.babies_born' is not/,
  ],
  [
    'a when naming an unknown field',
    (j) => (j.observations[1].when = "${weighed} = 'yes'"),
    /observations\/1\/when: \$\{weighed\} is not a field of the form in/,
  ],
  [
    'a when naming an ambiguous field',
    (j) => (j.observations[1].when = "${danger_signs} = 'fever'"),
    /observations\/1\/when: \$\{danger_signs\} is ambiguous \(babies.baby.baby_details.danger_signs, mother.danger_signs\)/,
  ],
  [
    'a when comparing a select with a value it does not offer',
    (j) => (j.observations[1].when = "${weight_known} = 'maybe'"),
    /observations\/1\/when: 'maybe' is not a choice of 'babies.baby.baby_details.weight_known'/,
  ],
  [
    'selected() with a value the select does not offer',
    (j) => (j.conditions[2].when = "selected(mother.danger_signs, 'headache')"),
    /conditions\/2\/when: 'headache' is not a choice of 'mother.danger_signs'/,
  ],
  ['a when that does not parse', (j) => (j.observations[1].when = "${weight_known} = 'yes' and"), /observations\/1\/when: expected a field at the end in/],
  ['a when that is a value alone', (j) => (j.observations[1].when = "'yes'"), /observations\/1\/when: a value alone is not a condition/],
  [
    'an abated Condition left active (con-4)',
    (j) => delete j.conditions[0].clinical_status,
    /conditions\/0\/abatement: an abated Condition needs clinical_status inactive, resolved, remission/,
  ],
  [
    'a date from a field that is not a date',
    (j) => (j.immunizations[0].date = 'outcome.babies_born'),
    /immunizations\/0\/date: 'outcome.babies_born' is a int field, not a date/,
  ],
  [
    'an appointment on a select',
    (j) => (j.appointments[0].field = 'mother.outcome'),
    /appointments\/0\/field: 'mother.outcome' is a select1 field, not a date/,
  ],
  [
    'a vaccine concept that is not in the terminology',
    (j) => (j.immunizations[0].answers.bcg = ['bcg-vaccine', 'bcg-booster']),
    /immunizations\/0\/answers\/bcg\/1: 'bcg-booster' is not a concept/,
  ],
  ['a coded rule with both field and code', (j) => (j.procedures[0].code = 'caesarean-section'), /procedures\/0: give 'field' with 'answers'/],
  ['a coded rule with a field but no answers', (j) => delete j.immunizations[0].answers, /immunizations\/0: give 'field' with 'answers'/],
  ['an unknown clinical status', (j) => (j.conditions[0].clinical_status = 'closed'), /conditions\/0\/clinical_status: must be one of/],
  ['a date on a Condition (onset and abatement say when)', (j) => (j.conditions[1].date = 'outcome.delivery_date'), /conditions\/1: unknown property 'date'/],
];

const onReportSection: Array<[string, (def: any) => void, RegExp]> = [
  [
    'a subject that is a db-doc report, not a person',
    (j) => (j.conditions[2].subject = 'mother.death_doc'),
    /conditions\/2\/subject: 'mother.death_doc' holds no person's _id/,
  ],
  [
    'a date kept formatted for display',
    (j) => (j.procedures[0].date = 'mother.pnc_day'),
    /procedures\/0\/date: 'mother.pnc_day' holds a date formatted for display \('%e %b, %Y'\): name a field with an ISO date/,
  ],
  [
    'a when with a relative XPath',
    (j) => (j.observations[1].when = "../weight_known = 'yes'"),
    /observations\/1\/when: a relative XPath \('..\/weight_known = 'y'\) has no context here: write \$\{name\} or the dotted path/,
  ],
  [
    'a when with an absolute XPath of another form',
    (j) => (j.observations[1].when = "/delivery/babies/baby/baby_details/weight_known = 'yes'"),
    /observations\/1\/when: an absolute path starts with \/childbirth\//,
  ],
];

describe('mapping definitions over CHT-style forms', () => {
  for (const [name, edit, expected] of onReportSection) {
    it(`fails the build: ${name}`, () => {
      const problems = problemsWith(edit, withReportSection);
      assert.ok(
        problems.some((p) => expected.test(p)),
        `${expected} not in:\n${problems.join('\n')}`,
      );
    });
  }

  it('accepts a when written as the XForm writes it, with absolute paths', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'defs-forms-'));
    try {
      fs.cpSync(path.join(ROOT, 'app_settings'), path.join(root, 'app_settings'), { recursive: true });
      fs.cpSync(path.join(ROOT, 'forms'), path.join(root, 'forms'), { recursive: true });
      const file = path.join(root, 'app_settings/fhir/forms/childbirth.json');
      const def = JSON.parse(fs.readFileSync(file, 'utf8'));
      def.observations[1].when = "/childbirth/babies/baby/baby_details/weight_known = 'yes'";
      fs.writeFileSync(file, JSON.stringify(def));
      const { model } = compileDefinitions(root);
      // The model names the field by its shortest unique suffix (core/fields.ts fullPath reads it back).
      // and `=` on a single-choice field as selected() (form-rules/base.ts selectedForm), the same test written shorter.
      const [op, ref, value] = model.forms.childbirth.observations?.[1].when as [string, string, string];
      assert.deepEqual([op, fullPath(model.forms.childbirth.shape, ref), value], ['sel', 'babies.baby.baby_details.weight_known', 'yes']);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  it('two rules on the same field and answer get distinct ids; the first keeps its own (no fullUrl twice: bdl-7)', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'defs-forms-'));
    try {
      fs.cpSync(path.join(ROOT, 'app_settings'), path.join(root, 'app_settings'), { recursive: true });
      fs.cpSync(path.join(ROOT, 'forms'), path.join(root, 'forms'), { recursive: true });
      const file = path.join(root, 'app_settings/fhir/forms/childbirth.json');
      const def = JSON.parse(fs.readFileSync(file, 'utf8'));
      // The same answer means two facts: an Observation code each, and two Conditions.
      def.observations.push({ ...def.observations[0], code: 'birth-weight', value: 'integer' });
      def.conditions.push({ ...def.conditions[2], answers: { bleeding: 'fever' } });
      fs.writeFileSync(file, JSON.stringify(def));
      const { model } = compileDefinitions(root);
      const f = model.forms.childbirth;
      assert.equal(f.observations?.[0].key, undefined, 'the first rule keeps its ids');
      assert.equal(f.observations?.[2].key, '2', 'its code is taken by another rule: its index');
      assert.equal(f.conditions?.[3].key, '3');
      const doc = sampleReports().find((d) => d.form === 'childbirth')!;
      const entries = mapDoc(model, hydrate(doc, sampleContacts())).entry ?? [];
      const urls = entries.map((e) => e.fullUrl);
      assert.equal(new Set(urls).size, urls.length, 'no fullUrl twice');
      assert.equal(entries.filter((e) => e.resource?.resourceType === 'Observation').length, 3, 'plurality twice, one weight');
      // Two patient-scoped rules making the same concept are one Condition: refused, naming both.
      def.conditions.push({ ...def.conditions[0] });
      fs.writeFileSync(file, JSON.stringify(def));
      assert.throws(() => compileDefinitions(root), /conditions\/4: makes the same patient-scoped Condition as \/conditions\/0/);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  it('takes the format argument of format-date-time, not a string inside its value: an ISO date passes, a display one fails', () => {
    const iso = `format-date-time(if(selected( /childbirth/outcome/delivery_mode , 'cesarean'), /childbirth/next_pnc_visit , /childbirth/outcome/delivery_date ), "%Y-%m-%d")`;
    const shown = iso.replace('"%Y-%m-%d"', "'%d/%m/%Y'");
    const bind = (calc: string) => (xml: string) =>
      xml
        .replace(
          '<bind nodeset="/childbirth/mother/outcome"',
          `<bind nodeset="/childbirth/mother/pnc_day" type="string" calculate="${calc.replace(/"/g, '&quot;')}"/>\n      <bind nodeset="/childbirth/mother/outcome"`,
        )
        .replace('<danger_signs/>\n          </mother>', '<danger_signs/>\n            <pnc_day/>\n          </mother>');
    const useIt = (j: any) => (j.procedures[0].date = 'mother.pnc_day');
    assert.ok(problemsWith(useIt, bind(shown)).some((p) => /holds a date formatted for display \('%d\/%m\/%Y'\)/.test(p)));
    assert.throws(() => problemsWith(useIt, bind(iso)), /expected a DefinitionError/);
  });

  for (const [name, edit, expected] of cases) {
    it(`fails the build: ${name}`, () => {
      const problems = problemsWith(edit);
      assert.ok(
        problems.some((p) => p.startsWith(F) || p.startsWith('forms/')),
        problems.join('\n'),
      );
      assert.ok(
        problems.some((p) => expected.test(p)),
        `${expected} not in:\n${problems.join('\n')}`,
      );
    });
  }
});
