import { expect } from 'chai';
import { loadLibLikeCht, xmlNode } from './cht-loader';
import { runForm } from './form-runner';

describe('fhirpath.js in the browser, loaded as CHT loads it', () => {
  it('pregnancy_visit: the weight read back by FHIRPath from the Observation lands in the form', async () => {
    const form = await runForm('pregnancy_visit');
    form.set('/pregnancy_visit/meta/instanceID', 'uuid:11111111-2222-4333-8444-555555555555');
    form.set('/pregnancy_visit/vitals/weight', '62.5');
    form.recalculate();
    expect(JSON.parse(form.get('/pregnancy_visit/fhir/weight_observation')).valueQuantity.value).to.equal(62.5);
    expect(form.get('/pregnancy_visit/fhir/weight_check')).to.equal('62.5');
    form.set('/pregnancy_visit/vitals/weight', '');
    form.recalculate();
    expect(form.get('/pregnancy_visit/fhir/weight_check'), 'no observation, no value').to.equal('');
  });

  it('answers XPath callers with typed values and never throws on bad input', async () => {
    const lib = await loadLibLikeCht('fhirpath.js');
    const obs =
      '{"resourceType":"Observation","status":"final","code":{"text":"w"},"valueQuantity":{"value":3,"system":"http://unitsofmeasure.org","code":"kg"},"effectiveDateTime":"2026-01-02"}';
    const field = xmlNode(`<data><obs>${obs}</obs></data>`, '/data/obs');
    expect(lib({ t: 'str', v: 'Observation.value.value' }, { t: 'arr', v: [field] })).to.deep.equal({ t: 'num', v: 3 });
    expect(lib({ t: 'str', v: 'Observation.effective > @2025-12-31' }, { t: 'arr', v: [field] })).to.deep.equal({ t: 'bool', v: true });
    expect(lib({ t: 'str', v: "Observation.value > 2000 'g'" }, { t: 'arr', v: [field] })).to.deep.equal({ t: 'bool', v: true });
    for (const bad of [
      { t: 'str', v: '{' },
      { t: 'arr', v: [] },
      { t: 'num', v: NaN },
      { t: 'date', v: new Date(NaN) },
    ]) {
      expect(lib({ t: 'str', v: 'Observation.value.value' }, bad)).to.deep.equal({ t: 'str', v: '' });
    }
    expect(lib({ t: 'str', v: '((' }, { t: 'arr', v: [field] })).to.deep.equal({ t: 'str', v: '' });
  });
});
