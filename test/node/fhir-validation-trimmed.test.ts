import { strict as assert } from 'node:assert';
import fs from 'node:fs';
import { useDefinitions } from '../../src/fhir-validation/definitions';
import { cacheFile, loadTrimmed } from '../../src/fhir-validation/trimmed-definitions';
import { corpus, verdict } from '../support/r4-corpus';

describe('FHIR R4 validation: trimmed definitions', function () {
  this.timeout(300000);
  after(() => useDefinitions('trimmed'));

  it('give the same verdicts (issues and texts) as the full published definitions', () => {
    const cases = corpus();
    assert.ok(cases.length > 2000, `${cases.length} cases`);
    useDefinitions('full');
    const full = cases.map(([, r]) => verdict(r));
    useDefinitions('trimmed');
    const trimmed = cases.map(([, r]) => verdict(r));
    const differ = cases.flatMap(([name], i) => (JSON.stringify(full[i]) === JSON.stringify(trimmed[i]) ? [] : [`${name}: ${full[i].join('; ')} <> ${trimmed[i].join('; ')}`]));
    assert.deepEqual(differ, []);
    assert.ok(full.filter((v) => v.length).length > cases.length / 2, 'the corpus has invalid cases');
  });

  it('are cached under .build and are a small fraction of the published JSON', () => {
    loadTrimmed();
    assert.ok(fs.existsSync(cacheFile()));
    assert.ok(fs.statSync(cacheFile()).size < 4_000_000, `${fs.statSync(cacheFile()).size} bytes`);
  });
});
