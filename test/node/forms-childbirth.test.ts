import { strict as assert } from 'node:assert';
import fs from 'node:fs';
import path from 'node:path';
import type {
  Appointment,
  Bundle,
  Condition,
  Immunization,
  Observation,
  Procedure,
  QuestionnaireItem,
  QuestionnaireResponse,
  QuestionnaireResponseItem,
  Resource,
} from 'fhir/r4';
import { compileDefinitions } from '../../src/compiler/definitions/compile';
import { mapDoc } from '../../src/core/map-doc';
import { resourceId } from '../../src/core/identity';
import { questionnaireFor } from '../../src/compiler/definitions/questionnaire';
import { hydrate } from '../../src/doubles/cht-outbound-push/hydrate';
import { loadLikeCht } from '../../src/compiler/cht-lib-loader';
import { ROOT } from '../../harness/repo';
import { assertValidR4 } from '../../src/fhir-validation';
import { sampleContacts, sampleReports, type Doc } from '../../harness/samples';

/**
 * The childbirth form (forms/app/childbirth.xml) is written the way pyxform
 * and cht-conf write XForms: itext in two languages, itemsets over secondary
 * instances, a counted repeat per baby with a db-doc person section and a
 * db-doc-ref. Every fact its definition maps is asserted by value here.
 */
const compiled = compileDefinitions(ROOT);
const d = compiled.model.deployment;
const contacts = sampleContacts();
const birth = sampleReports().find((r) => r._id === 'rep-birth-1')!;
const anc = sampleReports().find((r) => r._id === 'rep-anc-1')!;
const INSTANCE = 'uuid:5d7c1a2e-3f4b-4c6d-8e9f-0a1b2c3d4e51';
const patient = (chtId: string) => `Patient/${resourceId(d, 'Patient', chtId)}`;

function resources(doc: Doc): Resource[] {
  const b: Bundle = mapDoc(compiled.model, hydrate(doc, contacts));
  assertValidR4(b);
  return b.entry!.map((e) => e.resource!);
}
const ofType = <T extends Resource>(rs: Resource[], t: T['resourceType']) => rs.filter((r) => r.resourceType === t) as T[];
const code = (r: { code?: { coding?: Array<{ code?: string }>; text?: string } }) => r.code?.coding?.[0]?.code ?? r.code?.text;

describe('a CHT-style form: itemsets, translations, repeats, db-doc sections', () => {
  const out = resources(birth);

  it('an Observation per mapped field, per repeat instance, about the subject the rule names', () => {
    const obs = ofType<Observation>(out, 'Observation');
    const plurality = obs.filter((o) => code(o) === '57722-1');
    assert.deepEqual(
      plurality.map((o) => [o.valueInteger, o.subject?.reference]),
      [[2, patient('woman-1')]],
    );
    // Baby 1 was weighed; baby 2 was not (weight_known = 'no'): one birth weight, about baby 1.
    const weights = obs.filter((o) => code(o) === '8339-4');
    assert.deepEqual(
      weights.map((o) => [o.valueQuantity, o.subject?.reference, o.id, o.effectiveDateTime]),
      [
        [
          { value: 2950, unit: 'g', system: 'http://unitsofmeasure.org', code: 'g' },
          patient('baby-1'),
          resourceId(d, 'Observation', INSTANCE, 'babies.baby[1].baby_details.birth_weight'),
          '2026-11-29',
        ],
      ],
    );
    assert.equal(plurality[0].effectiveDateTime, '2026-11-30T00:53:20.000Z', 'no date field: the report time');
    assert.equal(obs.length, 2);
  });

  it('Immunizations per vaccine per baby, dated by the delivery, for the baby', () => {
    const imm = ofType<Immunization>(out, 'Immunization');
    assert.deepEqual(
      imm.map((i) => [i.vaccineCode.coding?.[0].system, i.vaccineCode.coding?.[0].code, i.patient.reference, i.occurrenceDateTime, i.status]),
      [
        ['http://hl7.org/fhir/sid/cvx', '19', patient('baby-1'), '2026-11-29', 'completed'],
        ['http://hl7.org/fhir/sid/cvx', '182', patient('baby-1'), '2026-11-29', 'completed'],
        ['http://hl7.org/fhir/sid/cvx', '19', patient('baby-2'), '2026-11-29', 'completed'],
      ],
    );
    assert.notEqual(imm[0].id, imm[2].id, 'each instance has its own stable id');
  });

  it('a Procedure from the delivery mode, a proposed Appointment for the PNC visit', () => {
    const [proc, ...moreProcs] = ofType<Procedure>(out, 'Procedure');
    assert.equal(moreProcs.length, 0);
    assert.deepEqual([code(proc), proc.subject.reference, proc.performedDateTime, proc.status], ['11466000', patient('woman-1'), '2026-11-29', 'completed']);
    const [appt, ...moreAppts] = ofType<Appointment>(out, 'Appointment');
    assert.equal(moreAppts.length, 0);
    assert.deepEqual(
      [appt.status, appt.serviceType?.[0].coding?.[0].code, appt.requestedPeriod, appt.participant[0].actor?.reference],
      ['proposed', '169762003', [{ start: '2026-12-02', end: '2026-12-02' }], patient('woman-1')],
    );
  });

  it("Conditions: newborn danger signs for the baby only when unwell, the mother's from any answer, the pregnancy resolved", () => {
    const conds = ofType<Condition>(out, 'Condition');
    const row = (c: Condition) => [code(c), c.subject.reference, c.clinicalStatus?.coding?.[0].code, c.abatementDateTime];
    assert.deepEqual(conds.map(row), [
      ['77386006', patient('woman-1'), 'resolved', '2026-11-29'],
      ['386661006', patient('baby-2'), 'active', undefined],
      ['387712008', patient('baby-2'), 'active', undefined],
      ['47821001', patient('woman-1'), 'active', undefined],
    ]);
  });

  it('the delivery resolves the Condition the pregnancy visit opened: same id, so an update, not a second Condition', () => {
    const opened = ofType<Condition>(resources(anc), 'Condition').find((c) => code(c) === '77386006')!;
    const resolved = ofType<Condition>(out, 'Condition').find((c) => code(c) === '77386006')!;
    assert.equal(opened.id, resolved.id);
    assert.equal(opened.clinicalStatus?.coding?.[0].code, 'active');
    assert.equal(opened.onsetDateTime, '2026-07-01');
    assert.equal(resolved.id, resourceId(d, 'Condition', 'woman-1', 'episode/pregnancy'));
  });

  it('when: a baby with no danger sign answer and a mother who died get none of the guarded resources', () => {
    const doc = JSON.parse(JSON.stringify(birth)) as Doc & { fields: any };
    doc.fields.babies.baby[1].baby_details.condition = 'alive_well'; // danger signs left over from an earlier answer
    doc.fields.mother.outcome = 'deceased';
    const rs = resources(doc);
    assert.equal(ofType<Condition>(rs, 'Condition').filter((c) => c.subject.reference === patient('baby-2')).length, 0);
    assert.equal(ofType<Appointment>(rs, 'Appointment').length, 0);
  });

  it('a named date that cannot be read fails the push naming field and value, never the report time in its place', () => {
    const doc = JSON.parse(JSON.stringify(birth)) as Doc & { fields: any };
    doc.fields.outcome.delivery_date = '29 Nov, 2026';
    assert.throws(() => resources(doc), /rep-birth-1: field 'outcome\.delivery_date' holds "29 Nov, 2026", which is not a date/);
  });

  it('one repeat instance stored bare (older CHT) maps like an array of one', () => {
    const doc = JSON.parse(JSON.stringify(birth)) as Doc & { fields: any };
    doc.fields.babies.baby = doc.fields.babies.baby[0];
    const weights = ofType<Observation>(resources(doc), 'Observation').filter((o) => code(o) === '8339-4');
    assert.equal(weights[0].id, resourceId(d, 'Observation', INSTANCE, 'babies.baby[1].baby_details.birth_weight'));
  });

  it('the QuestionnaireResponse agrees with the Questionnaire: one item per repeat instance, select answers as Codings, no empty arrays', () => {
    const qr = ofType<QuestionnaireResponse>(out, 'QuestionnaireResponse')[0];
    const q = questionnaireFor(d, compiled.xforms.childbirth);
    assertValidR4(q);
    const defs = new Map<string, QuestionnaireItem>();
    const index = (items?: QuestionnaireItem[]) => items?.forEach((i) => (defs.set(i.linkId, i), index(i.item)));
    index(q.item);
    const babies = qr.item!.find((i) => i.linkId === 'babies')!.item!;
    assert.deepEqual(
      babies.map((i) => i.linkId),
      ['babies.baby', 'babies.baby'],
    );
    assert.equal(defs.get('babies.baby')!.repeats, true);
    const walk = (items: QuestionnaireResponseItem[] | undefined) =>
      items?.forEach((i) => {
        const def = defs.get(i.linkId);
        assert.ok(def, `linkId ${i.linkId} is in the Questionnaire`);
        for (const a of i.answer ?? []) {
          if (def.type === 'choice') {
            assert.ok(a.valueCoding, `${i.linkId}: a Coding`);
            if (def.answerOption)
              assert.ok(
                def.answerOption.some((o) => o.valueCoding?.code === a.valueCoding!.code && o.valueCoding?.system === a.valueCoding!.system),
                `${i.linkId}: ${a.valueCoding.code} is an answer option`,
              );
          }
        }
        if (i.answer && def.type !== 'choice' && def.type !== 'string') assert.ok(!('valueString' in i.answer[0]), `${i.linkId}: typed as ${def.type}`);
        walk(i.item);
      });
    walk(qr.item);
    const vaccines = babies[0].item!.find((i) => i.linkId === 'babies.baby.baby_details')!.item!.find((i) => i.linkId === 'babies.baby.baby_details.vaccines')!;
    const system = 'https://fhir.example.org/CodeSystem/childbirth.babies.baby.baby_details.vaccines';
    assert.deepEqual(vaccines.answer, [{ valueCoding: { system, code: 'bcg' } }, { valueCoding: { system, code: 'opv0' } }]);
    const noEmpty = (x: unknown): void => {
      if (Array.isArray(x)) {
        assert.ok(x.length, 'no empty array');
        x.forEach(noEmpty);
      } else if (x && typeof x === 'object') Object.values(x).forEach(noEmpty);
    };
    noEmpty(qr);
    noEmpty(q);
  });

  it('the Questionnaire carries itext labels in the default language and the others as FHIR translations', () => {
    const q = questionnaireFor(d, compiled.xforms.childbirth);
    assert.equal(q.language, 'en');
    const mode = q.item!.find((i) => i.linkId === 'outcome')!.item!.find((i) => i.linkId === 'outcome.delivery_mode')!;
    assert.equal(mode.text, 'How did the woman deliver?');
    assert.deepEqual(mode._text?.extension?.[0].extension, [
      { url: 'lang', valueCode: 'fr' },
      { url: 'content', valueString: "Mode d'accouchement" },
    ]);
    assert.deepEqual(mode.answerOption![2].valueCoding?.code, 'cesarean');
    assert.equal(mode.answerOption![2].valueCoding?.display, 'Caesarean section');
    assert.equal(mode.answerOption![2].valueCoding?._display?.extension?.[0].extension?.[1].valueString, 'Césarienne');
    const place = q.item!.find((i) => i.linkId === 'outcome')!.item!.find((i) => i.linkId === 'outcome.delivery_place')!;
    assert.deepEqual(
      place.answerOption!.map((o) => o.valueCoding?.code),
      ['home', 'tba', 'health_center', 'hospital'],
      'a choice filter narrows the list at run time, not the values a report holds',
    );
  });

  it('ids: what fhir-id.js computes in the form (as its binds call it) is the id of the pushed resource', () => {
    const lib = loadLikeCht(fs.readFileSync(path.join(ROOT, 'extension-libs/fhir-id.js'), 'latin1')) as (...a: unknown[]) => string;
    const ids = new Set(out.map((r) => `${r.resourceType}/${r.id}`));
    for (const role of [
      'Encounter',
      'QuestionnaireResponse',
      'Procedure/outcome.delivery_mode=cesarean',
      'Observation/babies.baby[1].baby_details.birth_weight',
      'Immunization/babies.baby[2].baby_details.vaccines=bcg',
    ]) {
      const id = lib(INSTANCE, role);
      assert.ok(ids.has(`${role.split('/')[0]}/${id}`), `${role} -> ${id}`);
    }
    // The reference forms call it from their binds: those roles must name resources their pushes hold.
    for (const form of ['pregnancy_visit', 'sick_child']) {
      const xml = fs.readFileSync(path.join(ROOT, `forms/app/${form}.xml`), 'utf8');
      const report = sampleReports().find((r) => r.form === form && (r.fields as any).meta?.instanceID)!;
      const pushed = new Set(resources(report).map((r) => `${r.resourceType}/${r.id}`));
      const calls = [...xml.matchAll(/cht:extension-lib\('fhir-id\.js', [^,]+, '([^']+)'\)/g)].map((m) => m[1]);
      assert.ok(calls.length, form);
      for (const role of calls) assert.ok(pushed.has(`${role.split('/')[0]}/${lib((report.fields as any).meta.instanceID, role)}`), `${form}: ${role}`);
    }
  });

  it('fhir-build.js, called as pregnancy_visit calls it, builds the Observation the push holds: same id, code, value, subject', () => {
    const build = loadLikeCht(fs.readFileSync(path.join(ROOT, 'extension-libs/fhir-build.js'), 'latin1')) as (...a: unknown[]) => string;
    const f = anc.fields as any;
    const phone = JSON.parse(build('observation', 'body-weight', f.vitals.weight, 'kg', f.meta.instanceID, f.patient_uuid, 'vitals.weight')) as Observation;
    const pushed = ofType<Observation>(resources(anc), 'Observation').find((o) => o.id === phone.id);
    assert.ok(pushed, 'same id');
    assert.deepEqual([phone.code, phone.valueQuantity, phone.subject?.reference], [pushed.code, pushed.valueQuantity, pushed.subject?.reference]);
  });
});
