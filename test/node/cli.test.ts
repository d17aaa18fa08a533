import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT } from '../../harness/repo';
import { sampleReports, sampleContacts } from '../../harness/samples';

function cli(args: string[]) {
  const r = spawnSync(process.execPath, [path.join(ROOT, 'bin/cht-fhir.js'), ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

function tmpJson(data: unknown): string {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cli-')), 'doc.json');
  fs.writeFileSync(file, typeof data === 'string' ? data : JSON.stringify(data));
  return file;
}

describe('cht-fhir CLI', function () {
  this.timeout(120000);

  it('--help works on the program and every subcommand', () => {
    const top = cli(['--help']);
    assert.equal(top.code, 0);
    for (const sub of ['build', 'check', 'preview', 'questionnaires', 'receiver', 'demo']) {
      assert.match(top.out, new RegExp(`\\b${sub}\\b`));
      const r = cli([sub, '--help']);
      assert.equal(r.code, 0, sub);
      assert.match(r.out, new RegExp(`Usage: cht-fhir ${sub}`));
    }
  });

  it('unknown subcommands and flags: a clear line, non-zero exit, no stack trace', () => {
    for (const args of [['nope'], ['preview', '--bogus', 'x.json'], ['check', '--nope']]) {
      const r = cli(args);
      assert.notEqual(r.code, 0, args.join(' '));
      assert.match(r.err, /error: unknown (command|option)/);
      assert.doesNotMatch(r.err, /\n\s+at /);
    }
  });

  it('check passes on the reference definitions', () => {
    const r = cli(['check']);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /ok: 5 form mappings, 4 contact types, 3 inbound mappings/);
  });

  it("questionnaires prints a transaction Bundle of the forms' Questionnaires, or writes it with --out", () => {
    const r = cli(['questionnaires']);
    assert.equal(r.code, 0, r.err);
    const bundle = JSON.parse(r.out);
    assert.equal(bundle.type, 'transaction');
    const types = bundle.entry.map((e: { resource: { resourceType: string } }) => e.resource.resourceType);
    assert.equal(types.filter((t: string) => t === 'Questionnaire').length, 5);
    assert.ok(types.includes('CodeSystem'), 'with the CodeSystems their codings name');
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'q-')), 'q.json');
    assert.equal(cli(['questionnaires', '--out', out]).code, 0);
    assert.deepEqual(JSON.parse(fs.readFileSync(out, 'utf8')), bundle);
  });

  describe('preview', () => {
    it('prints the payload CHT would push and marks every resource valid', () => {
      const contacts = tmpJson(sampleContacts());
      const doc = tmpJson(sampleReports().find((d) => d._id === 'rep-sick-1'));
      const r = cli(['preview', doc, '--contacts', contacts]);
      assert.equal(r.code, 0, r.err);
      assert.match(r.out, /# cht-fhir: POST http:\/\/localhost:5001\/cht-fhir\/push/);
      const json = r.out
        .split('\n')
        .filter((l) => !l.startsWith('#'))
        .join('\n');
      const payload = JSON.parse(json);
      assert.equal(payload.bundle.resourceType, 'Bundle');
      assert.match(r.out, /# valid {3}entry\[0\] Encounter\//);
      assert.doesNotMatch(r.out, /INVALID/);
    });

    it('--hydrated takes the doc as CHT hydrated it', () => {
      const doc = { ...sampleReports()[0], patient: { _id: 'woman-1', name: 'Mary', type: 'person', parent: { _id: 'hh-1' } } };
      const r = cli(['preview', tmpJson(doc), '--hydrated']);
      assert.equal(r.code, 0, r.err);
      assert.match(r.out, /"display": "Mary"/);
    });

    it('says when a push would fail and why, with exit 1', () => {
      const doc = JSON.parse(JSON.stringify(sampleReports().find((d) => d._id === 'rep-death-1')));
      delete doc.fields.date_of_death;
      const r = cli(['preview', tmpJson(doc)]);
      assert.equal(r.code, 1);
      assert.match(r.out, /push FAILS .*required field 'date_of_death' is missing/);
    });

    it('says when a doc is not relevant', () => {
      const r = cli(['preview', tmpJson({ _id: 'x', type: 'data_record', form: 'other' })]);
      assert.equal(r.code, 0);
      assert.match(r.out, /# cht-fhir: not relevant to x/);
    });

    it('marks invalid FHIR from a hand-written entry', () => {
      const settings = tmpJson({
        outbound: {
          hand: {
            relevant_to: 'true',
            destination: { base_url: 'http://x', path: '/y' },
            mapping: {
              bundle: {
                expr: "({resourceType:'Bundle',type:'transaction',entry:[{resource:{resourceType:'Patient',gender:'boy'},request:{method:'POST',url:'Patient'}}]})",
              },
            },
          },
        },
      });
      const r = cli(['preview', tmpJson({ _id: 'x' }), '--settings', settings]);
      assert.equal(r.code, 1);
      assert.match(r.out, /# INVALID entry\[0\] Patient\//);
      assert.match(r.out, /gender/);
    });

    it('bad input: a missing file, not JSON, a list instead of a doc', () => {
      for (const [file, msg] of [
        ['/nonexistent/doc.json', /cannot read doc \/nonexistent\/doc\.json/],
        [tmpJson('{"_id": '), /is not JSON/],
        [tmpJson([{ _id: 'a' }]), /is not a CHT doc/],
      ] as const) {
        const r = cli(['preview', file]);
        assert.equal(r.code, 1);
        assert.match(r.err, msg);
        assert.equal(r.err.trim().split('\n').length, 1, r.err);
      }
    });
  });
});
