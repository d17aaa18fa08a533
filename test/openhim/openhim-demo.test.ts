import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { ROOT } from '../../harness/repo';

describe('cht-fhir demo --openhim (a real OpenHIM 4.0.5 between "CHT" and the receiver)', function () {
  this.timeout(600_000);

  it('every push goes through OpenHIM: one Successful transaction each, 0 invalid, 0 duplicates, its URLs printed', () => {
    const r = spawnSync(process.execPath, [path.join(ROOT, 'bin/cht-fhir.js'), 'demo', '--exit', '--openhim', '--port', '0', '--fhir-port', '0'], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 540_000,
      env: { ...process.env, FHIR_BASE_URL: '' },
    });
    assert.equal(r.status, 0, r.stderr + r.stdout);
    assert.match(r.stdout, /pushes {9}40 \(0 failed\)/);
    assert.match(r.stdout, /invalid {8}0 /);
    assert.match(r.stdout, /duplicates {5}0 /);
    assert.match(r.stdout, /Questionnaire \d+/);
    assert.doesNotMatch(r.stdout, /refused/);
    // 40 pushes and the Questionnaires bundle, each one OpenHIM transaction.
    assert.match(r.stdout, /OpenHIM 4\.0\.5 \(real openhim-core/);
    assert.match(r.stdout, /transactions Successful 41\n/);
    assert.match(r.stdout, /router {2}http:\/\/127\.0\.0\.1:\d+ /);
    assert.match(r.stdout, /API {5}https:\/\/127\.0\.0\.1:\d+\/transactions/);
    assert.match(r.stdout, /OpenHIM: client "cht-outbound": created/);
  });
});
