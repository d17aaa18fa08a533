import { strict as assert } from 'node:assert';
import fs from 'node:fs';
import { useDefinitions } from '../../src/fhir-validation/definitions';
import os from 'node:os';
import path from 'node:path';
import { buildTrimmed, fullStructures, loadTrimmed, PREBUILT_FILE } from '../../src/fhir-validation/trimmed-definitions';
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
    const differ = cases.flatMap(([name], i) =>
      JSON.stringify(full[i]) === JSON.stringify(trimmed[i]) ? [] : [`${name}: ${full[i].join('; ')} <> ${trimmed[i].join('; ')}`],
    );
    assert.deepEqual(differ, []);
    assert.ok(full.filter((v) => v.length).length > cases.length / 2, 'the corpus has invalid cases');
  });

  it('are a small fraction of the published JSON; a compiled receiver reads them from beside its script, and refuses a bad file', () => {
    const text = JSON.stringify(buildTrimmed(fullStructures()));
    assert.ok(text.length < 4_000_000, `${text.length} bytes`);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'r4-defs-'));
    try {
      fs.writeFileSync(path.join(dir, PREBUILT_FILE), text);
      assert.deepEqual(loadTrimmed(dir), JSON.parse(text));
      fs.writeFileSync(path.join(dir, PREBUILT_FILE), '{"structures": 1}');
      assert.throws(() => loadTrimmed(dir), /not trimmed R4 definitions/);
      fs.writeFileSync(path.join(dir, PREBUILT_FILE), '{');
      assert.throws(() => loadTrimmed(dir), SyntaxError);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
