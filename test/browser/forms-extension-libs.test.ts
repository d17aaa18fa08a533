import { expect } from 'chai';
import { runForm } from './form-runner';
import { loadLibLikeCht } from './cht-loader';

describe('reference forms call the extension libs through cht:extension-lib()', () => {
  it('pregnancy_visit: stable encounter id, translated display and an Observation land in the form', async () => {
    const form = await runForm('pregnancy_visit');
    form.set('/pregnancy_visit/meta/instanceID', 'uuid:11111111-2222-4333-8444-555555555555');
    form.set('/pregnancy_visit/inputs/contact/_id', 'woman-1');
    form.set('/pregnancy_visit/vitals/weight', '62.5');
    form.recalculate();
    const encounterId = form.get('/pregnancy_visit/fhir/encounter_id');
    expect(encounterId).to.match(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(form.get('/pregnancy_visit/fhir/weight_display')).to.equal('Poids corporel');
    const obs = JSON.parse(form.get('/pregnancy_visit/fhir/weight_observation'));
    expect(obs.resourceType).to.equal('Observation');
    expect(obs.valueQuantity).to.deep.equal({ value: 62.5, unit: 'kg', system: 'http://unitsofmeasure.org', code: 'kg' });
    const fhirId = await loadLibLikeCht('fhir-id.js');
    expect(obs.id, 'the id the push gives the Observation of vitals.weight').to.equal(
      fhirId('uuid:11111111-2222-4333-8444-555555555555', 'Observation/vitals.weight'),
    );
    expect(encounterId).to.equal(fhirId('uuid:11111111-2222-4333-8444-555555555555', 'Encounter'));
    expect(obs.subject.reference).to.match(/^Patient\/[0-9a-f-]{36}$/);

    form.recalculate();
    expect(form.get('/pregnancy_visit/fhir/encounter_id'), 'a recalculation mints no new id').to.equal(encounterId);
    expect(form.get('/pregnancy_visit/patient_uuid')).to.equal('woman-1');
  });

  it('pregnancy_visit: an empty or bad weight never breaks the form', async () => {
    const form = await runForm('pregnancy_visit');
    form.set('/pregnancy_visit/meta/instanceID', 'uuid:x');
    form.recalculate();
    expect(form.get('/pregnancy_visit/fhir/weight_observation')).to.equal('');
    form.set('/pregnancy_visit/vitals/weight', 'sixty');
    form.recalculate();
    expect(JSON.parse(form.get('/pregnancy_visit/fhir/weight_observation')).resourceType).to.equal('OperationOutcome');
  });

  it('sick_child: terminology code and observation id computed offline', async () => {
    const form = await runForm('sick_child');
    form.set('/sick_child/meta/instanceID', 'uuid:abc');
    form.set('/sick_child/muac_cm', '11.2');
    form.recalculate();
    expect(form.get('/sick_child/fhir/rdt_code')).to.equal('http://loinc.org|70569-9');
    expect(form.get('/sick_child/fhir/muac_observation_id')).to.match(/^[0-9a-f-]{36}$/);
    expect(form.get('/sick_child/muac_colour')).to.equal('red');
  });
});
