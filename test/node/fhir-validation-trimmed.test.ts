import { strict as assert } from 'node:assert';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT } from '../../src/build/paths';
import { validateR4 } from '../../src/fhir-validation';
import { useDefinitions } from '../../src/fhir-validation/definitions';
import { cacheFile, loadTrimmed } from '../../src/fhir-validation/trimmed-definitions';
import { patientDoc, reportDoc } from '../stand-ins/push-bundles';

const EXAMPLES = path.join(ROOT, 'node_modules/hl7.fhir.r4.examples');

/** Every 4th official example (conformance resources included) plus each one broken in a few ways. */
function corpus(): [string, unknown][] {
  const files = fs.readdirSync(EXAMPLES).filter((f) => f.endsWith('.json') && f !== 'package.json' && !f.startsWith('.')).sort();
  const out: [string, unknown][] = [];
  files.forEach((f, i) => {
    if (i % 4 || fs.statSync(path.join(EXAMPLES, f)).size > 150_000) return;
    const r = JSON.parse(fs.readFileSync(path.join(EXAMPLES, f), 'utf8'));
    out.push([f, r]);
    out.push([`${f} bad status`, { ...r, status: 'not-a-status' }]);
    out.push([`${f} unknown property`, { ...r, nickname: 'x' }]);
    out.push([`${f} id as number`, { ...r, id: 5 }]);
    out.push([`${f} no text div`, { ...r, text: { status: 'generated' } }]);
  });
  for (let n = 0; n < 20; n++) out.push([`push ${n}`, (n % 2 ? reportDoc : patientDoc)(n).body.bundle]);
  return out;
}

const verdict = (r: unknown) => validateR4(r).map((i) => `${i.severity} ${i.code} ${i.expression?.join(',')}: ${i.details?.text ?? i.diagnostics}`);

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
