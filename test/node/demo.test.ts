import { strict as assert } from 'node:assert';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { ROOT } from '../../harness/repo';

function cli(args: string[], env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(process.execPath, [path.join(ROOT, 'bin/cht-fhir.js'), ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 120000,
    env: { ...process.env, FHIR_BASE_URL: '', ...env },
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('cht-fhir demo (what `npm start` runs after the build)', function () {
  this.timeout(180000);

  it('--exit: every sample doc delivered, 0 invalid, 0 duplicates, URLs to browse', () => {
    const r = cli(['demo', '--exit', '--port', '0', '--fhir-port', '0']);
    assert.equal(r.code, 0, r.err + r.out);
    assert.match(r.out, /docs {11}20 sample CHT docs/);
    assert.match(r.out, /pushes {9}40 \(0 failed\)/);
    assert.match(r.out, /invalid {8}0 /);
    assert.match(r.out, /duplicates {5}0 /);
    for (const t of [
      'Questionnaire',
      'Patient',
      'Practitioner',
      'Organization',
      'Location',
      'Encounter',
      'Observation',
      'Condition',
      'Immunization',
      'Procedure',
      'Appointment',
      'QuestionnaireResponse',
      'Task',
    ]) {
      assert.match(r.out, new RegExp(`${t} \\d+`), t);
      assert.match(r.out, new RegExp(`http://127\\.0\\.0\\.1:\\d+/fhir/R4/${t}\\n`), t);
    }
  });

  it('keeps serving until interrupted, and the URLs it prints answer', async () => {
    const child = spawn(process.execPath, [path.join(ROOT, 'bin/cht-fhir.js'), 'demo', '--port', '0', '--fhir-port', '0'], {
      cwd: ROOT,
      env: { ...process.env, FHIR_BASE_URL: '' },
    });
    let out = '';
    child.stdout.on('data', (c) => (out += c));
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('no summary: ' + out)), 120000);
      child.stdout.on('data', () => out.includes('Serving until Ctrl-C.') && (clearTimeout(t), resolve()));
    });
    const url = /(http:\/\/127\.0\.0\.1:\d+\/fhir\/R4\/Patient)\n/.exec(out)![1];
    const bundle = await fetch(url).then((r) => r.json());
    assert.equal(bundle.resourceType, 'Bundle');
    assert.ok(bundle.entry.length >= 5);
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    child.kill('SIGINT');
    assert.equal(await exited, 0);
  });

  describe('bad input: one clear line, non-zero exit, no stack trace', () => {
    const oneLine = (r: { code: number | null; err: string }, msg: RegExp) => {
      assert.notEqual(r.code, 0);
      assert.match(r.err, msg);
      assert.doesNotMatch(r.err, /\n\s+at /);
      assert.equal(r.err.trim().split('\n').length, 1, r.err);
    };

    it('a port in use', async () => {
      const blocker = net.createServer();
      await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
      const port = (blocker.address() as net.AddressInfo).port;
      try {
        oneLine(
          cli(['demo', '--exit', '--port', String(port), '--fhir-port', '0']),
          new RegExp(`port ${port} for the receiver is in use \\(stop what uses it or pass --port`),
        );
      } finally {
        blocker.close();
      }
    });

    it('an unreachable FHIR_BASE_URL', () => {
      oneLine(
        cli(['demo', '--exit', '--port', '0'], { FHIR_BASE_URL: 'http://127.0.0.1:9/fhir' }),
        /the FHIR server at http:\/\/127\.0\.0\.1:9\/fhir is unreachable/,
      );
    });

    it('a bad port number and an unreadable docs folder', () => {
      oneLine(cli(['demo', '--exit', '--port', 'abc']), /'abc' is not a port number/);
      oneLine(cli(['demo', '--exit', '--port', '0', '--fhir-port', '0', '--docs', '/nonexistent']), /cannot read sample docs in \/nonexistent/);
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'docs-'));
      fs.writeFileSync(path.join(dir, 'x.json'), '{oops');
      oneLine(cli(['demo', '--exit', '--port', '0', '--fhir-port', '0', '--docs', dir]), /x\.json is not JSON/);
    });
  });
});
