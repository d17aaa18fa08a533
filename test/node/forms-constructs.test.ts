import { strict as assert } from 'node:assert';
import type {
  Bundle,
  Device,
  Encounter,
  FhirResource,
  Immunization,
  MedicationAdministration,
  MedicationStatement,
  Observation,
  Procedure,
  QuestionnaireResponse,
  QuestionnaireResponseItem,
  ServiceRequest,
  Specimen,
  Condition,
} from 'fhir/r4';
import { compileDefinitions } from '../../src/compiler/definitions/compile';
import { DefinitionError } from '../../src/compiler/definitions/load';
import { mapDoc } from '../../src/core/map-doc';
import { refTo } from '../../src/core/identity';
import { formCoverage } from '../../src/compiler/definitions/coverage';
import { questionnaireBundle } from '../../src/compiler/definitions/questionnaire';
import { assertValidR4 } from '../../src/fhir-validation';
import { scratchProject } from '../support/scratch-project';
import { CONCEPTS, PHOTO, RDT, VISIT, rdtReport, visitReport } from '../support/form-constructs';

/**
 * Issue 24: what a CHT form says beyond its answers (who, where, medicines,
 * referrals, tests, files) reaches FHIR. Two forms written the way CHT's are
 * (test/fixtures/forms) are mapped with every construct; each resource, its
 * references and its validity are checked, and each construct's misuse is
 * refused at build time with its message.
 */
function compile(forms: Record<string, object>) {
  const project = scratchProject(forms, CONCEPTS);
  try {
    return compileDefinitions(project.root);
  } finally {
    project.close();
  }
}

function refusals(forms: Record<string, object>): string[] {
  try {
    compile(forms);
  } catch (e) {
    if (e instanceof DefinitionError) return e.problems;
    throw e;
  }
  assert.fail('the build accepted it');
}

const of = <T extends FhirResource>(b: Bundle, type: T['resourceType']): T[] =>
  (b.entry ?? []).map((e) => e.resource as FhirResource).filter((r): r is T => r.resourceType === type);

function answersOf(qr: QuestionnaireResponse, linkId: string): QuestionnaireResponseItem | undefined {
  const walk = (items: QuestionnaireResponseItem[] = []): QuestionnaireResponseItem | undefined => {
    for (const i of items) {
      if (i.linkId === linkId) return i;
      const inner = walk(i.item);
      if (inner) return inner;
    }
    return undefined;
  };
  return walk(qr.item);
}

describe('form constructs: who, where, medicines, referrals, tests, files (issue 24)', () => {
  const compiled = compile({ rdt_capture: RDT, anc_home_visit: VISIT });
  const d = compiled.model.deployment;

  it("a rapid test: the result dated by the reader app's epoch time, by its tester, at its facility, with cassette, sample and photos", () => {
    const bundle = mapDoc(compiled.model, rdtReport());
    for (const e of bundle.entry ?? []) assertValidR4(e.resource);
    const [obs] = of<Observation>(bundle, 'Observation');
    assert.ok(obs);
    assert.equal(obs.effectiveDateTime, '2026-11-20T09:21:00.000Z');
    assert.deepEqual(obs.performer, [refTo(d, 'Practitioner', 'chw-1')]);
    assert.equal(obs.valueCodeableConcept?.coding?.[0]?.code, '10828004');
    const [device] = of<Device>(bundle, 'Device');
    assert.equal(obs.device?.reference, 'Device/' + device.id);
    assert.equal(device.lotNumber, 'LOT-4411');
    assert.equal(device.expirationDate, '2027-06-30');
    assert.equal(device.manufacturer, 'Example Diagnostics');
    assert.equal(device.type?.text, 'Malaria rapid diagnostic test cassette');
    const [specimen] = of<Specimen>(bundle, 'Specimen');
    assert.equal(obs.specimen?.reference, 'Specimen/' + specimen.id);
    assert.equal(specimen.collection?.collectedDateTime, '2026-11-20T09:05:00.000Z');
    assert.deepEqual(specimen.collection?.collector, refTo(d, 'Practitioner', 'chw-1'));
    assert.equal(specimen.subject?.reference, refTo(d, 'Patient', 'woman-1').reference);
    const [encounter] = of<Encounter>(bundle, 'Encounter');
    assert.deepEqual(encounter.location, [{ location: refTo(d, 'Location', 'hc-1') }], 'the visit was at the testing facility, not at home');
    const [qr] = of<QuestionnaireResponse>(bundle, 'QuestionnaireResponse');
    assert.deepEqual(answersOf(qr, 'rdt.photo')?.answer, [{ valueAttachment: { contentType: 'image/jpeg', data: PHOTO } }]);
    assert.deepEqual(answersOf(qr, 'rdt.strip_drawing')?.answer, [
      { valueAttachment: { contentType: 'image/png', title: 'user-file/rdt_capture/rdt/strip_drawing', size: 5120 } },
    ]);
    assert.deepEqual(answersOf(qr, 'rdt.time_read')?.answer, [{ valueDateTime: '2026-11-20T09:21:00.000Z' }]);
    assert.ok(!JSON.stringify(qr).includes('"valueString":"' + PHOTO.slice(0, 10)), 'no base64 text');
  });

  it('the Questionnaire says what the definition says the fields hold: attachment, dateTime', () => {
    const q = questionnaireBundle(compiled)
      .entry!.map((e) => e.resource!)
      .find((r) => r.resourceType === 'Questionnaire' && r.id && JSON.stringify(r).includes('rdt_capture'));
    const text = JSON.stringify(q);
    for (const [linkId, type] of [
      ['rdt.photo', 'attachment'],
      ['rdt.strip_drawing', 'attachment'],
      ['rdt.time_read', 'dateTime'],
    ])
      assert.ok(
        text.includes(`"linkId":"${linkId}","text":`) && new RegExp(`"linkId":"${linkId.replace('.', '\\.')}","text":"[^"]*","type":"${type}"`).test(text),
        linkId,
      );
  });

  it("a photo given as a data: URL keeps its own type; an uploaded file is named from the report's attachment", () => {
    const bundle = mapDoc(compiled.model, { ...rdtReport({ photo: 'data:image/png;base64,' + PHOTO }) });
    const [qr] = of<QuestionnaireResponse>(bundle, 'QuestionnaireResponse');
    assert.deepEqual(answersOf(qr, 'rdt.photo')?.answer, [{ valueAttachment: { contentType: 'image/png', data: PHOTO } }]);
    const upload = rdtReport({ photo: 'cassette.jpg' });
    upload._attachments = { 'user-file-cassette.jpg': { content_type: 'image/jpeg', length: 2048, stub: true } };
    const [qr2] = of<QuestionnaireResponse>(mapDoc(compiled.model, upload), 'QuestionnaireResponse');
    assert.deepEqual(answersOf(qr2, 'rdt.photo')?.answer, [{ valueAttachment: { contentType: 'image/jpeg', title: 'cassette.jpg', size: 2048 } }]);
  });

  it('a read time that is not epoch milliseconds fails the push, naming the field', () => {
    assert.throws(
      () => mapDoc(compiled.model, rdtReport({ time_read: 'yesterday' })),
      /'rdt\.time_read' holds "yesterday", which is not a time in Unix epoch milliseconds/,
    );
  });

  it("a home visit: medicines told and given, a vaccine without a day, a past birth's attendant and place, a free-text illness, a referral", () => {
    const bundle = mapDoc(compiled.model, visitReport());
    for (const e of bundle.entry ?? []) assertValidR4(e.resource);
    const statements = of<MedicationStatement>(bundle, 'MedicationStatement');
    assert.deepEqual(
      statements.map((s) => [s.status, s.medicationCodeableConcept?.text, s.informationSource?.reference]),
      [['not-taken', 'Iron and folic acid supplement', refTo(d, 'Patient', 'woman-1').reference]],
    );
    const given = of<MedicationAdministration>(bundle, 'MedicationAdministration');
    assert.deepEqual(
      given.map((a) => [a.status, a.medicationCodeableConcept?.text, a.dosage?.dose, a.dosage?.route?.coding?.[0]?.code, a.performer?.[0]?.actor.reference]),
      [
        ['completed', 'Mebendazole 500 mg', undefined, undefined, refTo(d, 'Practitioner', 'chw-1').reference],
        [
          'completed',
          'Oral rehydration salts',
          { value: 4, unit: '{sachet}', system: 'http://unitsofmeasure.org', code: '{sachet}' },
          '26643006',
          refTo(d, 'Practitioner', 'chw-1').reference,
        ],
      ],
    );
    const [imm] = of<Immunization>(bundle, 'Immunization');
    assert.equal(imm.occurrenceString, 'during this pregnancy');
    assert.equal(imm.occurrenceDateTime, undefined);
    assert.equal(imm.performer, undefined, 'a vaccine she reports is not one the health worker gave');
    const [birth] = of<Procedure>(bundle, 'Procedure');
    assert.equal(birth.performedString, 'before this pregnancy');
    assert.deepEqual(birth.performer, [{ function: { text: 'Traditional birth attendant' }, actor: { display: 'Traditional birth attendant' } }]);
    assert.deepEqual(birth.location, refTo(d, 'Location', 'hh-1'));
    const illness = of<Condition>(bundle, 'Condition').find((c) => !c.code?.coding);
    assert.deepEqual(illness?.code, { text: 'Painful swelling of the left leg' });
    const [sr] = of<ServiceRequest>(bundle, 'ServiceRequest');
    assert.equal(sr.intent, 'order');
    assert.equal(sr.status, 'active');
    assert.equal(sr.priority, 'urgent');
    assert.equal(sr.occurrenceDateTime, '2026-11-22');
    assert.deepEqual(sr.requester, refTo(d, 'Practitioner', 'chw-1', 'Amina CHW'));
    assert.deepEqual(sr.performer, [refTo(d, 'Organization', 'hc-1')]);
    assert.deepEqual(
      sr.reasonCode?.map((c) => c.text),
      ['Bleeding from vagina', 'Severe headache'],
    );
    assert.equal(sr.identifier?.[0]?.value, 'uuid:0a4d1f6b-7c2e-4b18-8d3f-9e5a6b7c8d21#referral.refer=yes');
    const [encounter] = of<Encounter>(bundle, 'Encounter');
    assert.deepEqual(sr.encounter, { reference: 'Encounter/' + encounter.id, identifier: sr.encounter?.identifier });
  });

  it('answers that change what is made: she takes iron-folate, no urgency given, delivered at a facility', () => {
    const bundle = mapDoc(
      compiled.model,
      visitReport({
        medicines: { iron_folate_daily: 'yes', deworming_given: 'no', ors_given: 'no' },
        previous_birth: { delivery_place: 'health_facility', delivery_conductor: 'skilled' },
        referral: { refer: 'yes', urgency: '', visit_by: '' },
        other_illness: '',
      }),
    );
    assert.deepEqual(
      of<MedicationStatement>(bundle, 'MedicationStatement').map((s) => s.status),
      ['active'],
    );
    assert.equal(of<MedicationAdministration>(bundle, 'MedicationAdministration').length, 0);
    const [birth] = of<Procedure>(bundle, 'Procedure');
    assert.deepEqual(birth.location, refTo(d, 'Location', 'hc-1'));
    const [sr] = of<ServiceRequest>(bundle, 'ServiceRequest');
    assert.equal(sr.priority, undefined);
    assert.equal(sr.occurrenceDateTime, undefined);
    assert.equal(of<Condition>(bundle, 'Condition').filter((c) => !c.code?.coding).length, 0, 'no Condition from an empty answer');
  });

  it("a referral's reasons can be the diagnoses the report makes (reasonReference to its Conditions)", () => {
    const c = compile({ anc_home_visit: { ...VISIT, referrals: [{ ...VISIT.referrals[0], reasons: 'conditions' }] } });
    const bundle = mapDoc(c.model, visitReport());
    for (const e of bundle.entry ?? []) assertValidR4(e.resource);
    const [sr] = of<ServiceRequest>(bundle, 'ServiceRequest');
    const conditions = of<Condition>(bundle, 'Condition');
    assert.equal(conditions.length, 2, 'bleeding, and the free-text illness');
    assert.deepEqual(
      sr.reasonReference,
      conditions.map((x) => ({ reference: 'Condition/' + x.id })),
    );
    assert.equal(sr.reasonCode, undefined);
  });

  it('coverage counts every field the new constructs read', () => {
    const rdt = formCoverage(compiled.xforms.rdt_capture, compiled.model.forms.rdt_capture);
    for (const f of ['rdt.result', 'rdt.time_read', 'rdt.tester', 'rdt.testing_facility', 'rdt.lot', 'rdt.expiry', 'rdt.time_started'])
      assert.ok(rdt.toResources.includes(f), f);
    const visit = formCoverage(compiled.xforms.anc_home_visit, compiled.model.forms.anc_home_visit);
    for (const f of [
      'medicines.ors_sachets',
      'previous_birth.delivery_place',
      'previous_birth.delivery_conductor',
      'referral.urgency',
      'referral.visit_by',
      'other_illness',
      'immunization.tt_received',
    ])
      assert.ok(visit.toResources.includes(f), f);
  });

  it("a text field a task or app fills with a contact's _id is taken at its word when the definition says what it holds", () => {
    const c = compile({
      rdt_capture: { ...RDT, location: 'rdt.lot', observations: [{ ...RDT.observations[0], performer: { field: 'rdt.lot', as: 'Practitioner' } }] },
    });
    const [obs] = of<Observation>(mapDoc(c.model, rdtReport({ lot: 'chw-1' })), 'Observation');
    assert.deepEqual(obs.performer, [refTo(d, 'Practitioner', 'chw-1')]);
  });

  describe('refused with a message', () => {
    const cases: Array<[string, string, object, RegExp]> = [
      [
        'a location on an Observation',
        'rdt_capture',
        { observations: [{ ...RDT.observations[0], location: 'household' }] },
        /\/observations\/0\/location: an Observation has no location in FHIR R4: name the facility as performer/,
      ],
      [
        'a person picked without saying what they are',
        'rdt_capture',
        { observations: [{ ...RDT.observations[0], performer: 'rdt.tester' }] },
        /\/observations\/0\/performer: 'rdt\.tester' holds a person's _id: say what that person is in FHIR with \{ "field": "rdt\.tester", "as": "Practitioner" \}/,
      ],
      [
        'a place picked as a Practitioner',
        'rdt_capture',
        { observations: [{ ...RDT.observations[0], performer: { field: 'rdt.testing_facility', as: 'Organization' } }], location: 'rdt.tester' },
        /\/location: 'rdt\.tester' holds no place's _id/,
      ],
      [
        'a performer from a field that holds no contact',
        'rdt_capture',
        { observations: [{ ...RDT.observations[0], performer: 'rdt.lot' }] },
        /'rdt\.lot' holds no contact's _id/,
      ],
      [
        'a role on a Condition asserter',
        'anc_home_visit',
        { conditions: [{ ...VISIT.conditions[0], performer: VISIT.procedures[0].performer }] },
        /\/conditions\/0\/performer\/roles: a Condition's asserter names who by reference/,
      ],
      [
        'a medication without its kind',
        'anc_home_visit',
        { medications: [{ field: 'medicines.deworming_given', answers: { yes: 'mebendazole' } }] },
        /\/medications\/0\/kind: say 'statement' \(what the patient takes or took, as told\) or 'administration'/,
      ],
      [
        'a dose on a statement',
        'anc_home_visit',
        { medications: [{ ...VISIT.medications[3], kind: 'statement' }] },
        /\/medications\/0: dose, unit and route are said of what was given: 'kind': 'administration'/,
      ],
      [
        'a statement status on an administration',
        'anc_home_visit',
        { medications: [{ ...VISIT.medications[2], status: 'not-taken' }] },
        /\/medications\/0\/status: 'not-taken' is not a status of a administration/,
      ],
      [
        'a route without a dose',
        'anc_home_visit',
        { medications: [{ ...VISIT.medications[2], route: 'oral' }] },
        /\/medications\/0\/dose: a dosage states its amount \(FHIR mad-1\)/,
      ],
      [
        'a dose from a text field',
        'anc_home_visit',
        { medications: [{ ...VISIT.medications[3], dose: 'other_illness' }] },
        /\/medications\/0\/dose: 'other_illness' is a string field, not a number/,
      ],
      [
        'a priority answer that is not a choice',
        'anc_home_visit',
        { referrals: [{ ...VISIT.referrals[0], priority: { field: 'referral.urgency', answers: { later: 'routine' } } }] },
        /\/referrals\/0\/priority\/answers\/later: 'later' is not a choice of 'referral\.urgency'/,
      ],
      [
        'a reason answer that is not a choice',
        'anc_home_visit',
        { referrals: [{ ...VISIT.referrals[0], reasons: [{ field: 'danger_signs.signs', answers: { cough: 'fever' } }] }] },
        /\/referrals\/0\/reasons\/0\/answers\/cough: 'cough' is not a choice/,
      ],
      [
        'conditions as reasons in a form without conditions',
        'anc_home_visit',
        { referrals: [{ ...VISIT.referrals[0], reasons: 'conditions' }] },
        /\/referrals\/0\/reasons: 'conditions' names the diagnoses this form makes, but it has no 'conditions' rules/,
      ],
      [
        'both date and date_text',
        'anc_home_visit',
        { immunizations: [{ ...VISIT.immunizations[0], date: 'referral.visit_by' }] },
        /\/immunizations\/0\/date_text: give 'date' \(a field\) or 'date_text', not both/,
      ],
      [
        'text on a select',
        'anc_home_visit',
        { conditions: [{ field: 'danger_signs.signs', text: true }] },
        /\/conditions\/0\/text: 'danger_signs\.signs' is a select field: 'text' reads a free-text answer/,
      ],
      [
        'a free-text Condition scoped to the patient',
        'anc_home_visit',
        { conditions: [{ field: 'other_illness', text: true, scope: 'patient' }] },
        /\/conditions\/0\/scope: a Condition named by free text cannot be patient-scoped/,
      ],
      [
        'an epoch field that is a date',
        'rdt_capture',
        { epoch_ms: ['rdt.expiry'] },
        /\/epoch_ms\/0: 'rdt\.expiry' is a date field: epoch milliseconds are held in an int, decimal or text field/,
      ],
      [
        'an attachment on a select',
        'rdt_capture',
        { attachments: { 'rdt.result': 'image/jpeg' } },
        /\/attachments\/rdt\.result: 'rdt\.result' is a select1 field: a file is held in a text or binary field/,
      ],
      [
        'a location answer that is not a choice',
        'anc_home_visit',
        { procedures: [{ ...VISIT.procedures[0], location: { field: 'previous_birth.delivery_place', answers: { clinic: 'facility' } } }] },
        /\/procedures\/0\/location\/answers\/clinic: 'clinic' is not a choice/,
      ],
    ];
    for (const [title, form, def, message] of cases) {
      it(title, () => {
        const problems = refusals({ [form]: def });
        assert.ok(
          problems.some((p) => message.test(p)),
          problems.join('\n'),
        );
      });
    }
  });
});
