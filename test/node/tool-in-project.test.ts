import { strict as assert } from 'node:assert';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { builtinModules } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import type { Bundle } from 'fhir/r4';
import { ROOT } from '../../harness/repo';
import { mapPayload } from '../../src/doubles/cht-outbound-push/cht-outbound';
import { assertValidR4 } from '../../src/fhir-validation';
import { startFhirServer, type FhirServer } from '../../src/doubles/fhir-store';
import { startReceiverProcess } from '../../harness/stand-ins/receiver-process';
import { AUTH } from '../../harness/receiver-stack';

/**
 * cht-fhir the way a deployment uses it: packed with `npm pack`, installed
 * as a dev dependency of a cht-conf project this test writes (its own form,
 * its own extension lib, hand-written outbound entry, settings formatted
 * its own way), in both settings layouts; then `npx cht-fhir init` and
 * `npx cht-fhir build`, and the real cht-conf in --archive mode uploads it.
 * The compiled receiver then runs from a folder holding only itself and the
 * model the build wrote.
 */

const FORM = `<?xml version="1.0"?>
<h:html xmlns="http://www.w3.org/2002/xforms" xmlns:h="http://www.w3.org/1999/xhtml" xmlns:jr="http://openrosa.org/javarosa" xmlns:cht="https://communityhealthtoolkit.org">
  <h:head>
    <h:title>Home visit</h:title>
    <model>
      <itext>
        <translation lang="English (en)" default="true()"><text id="/home_visit/temp:label"><value>Temperature</value></text></translation>
        <translation lang="Swahili (sw)"><text id="/home_visit/temp:label"><value>Joto</value></text></translation>
      </itext>
      <instance>
        <home_visit id="home_visit" version="1">
          <inputs><contact><_id/></contact></inputs>
          <patient_id/>
          <temp/>
          <cough/>
          <note_done/>
          <obs_id/>
          <meta><instanceID/></meta>
        </home_visit>
      </instance>
      <bind nodeset="/home_visit/patient_id" type="string" calculate="../inputs/contact/_id"/>
      <bind nodeset="/home_visit/temp" type="decimal"/>
      <bind nodeset="/home_visit/cough" type="select1"/>
      <bind nodeset="/home_visit/note_done" type="string" readonly="true()"/>
      <bind nodeset="/home_visit/obs_id" type="string" calculate="%LIB%"/>
      <bind nodeset="/home_visit/meta/instanceID" type="string" readonly="true()" calculate="concat('uuid:', uuid())"/>
    </model>
  </h:head>
  <h:body>
    <input ref="/home_visit/temp"><label ref="jr:itext('/home_visit/temp:label')"/></input>
    <select1 ref="/home_visit/cough"><label>Cough?</label><item><label>Yes</label><value>yes</value></item><item><label>No</label><value>no</value></item></select1>
    <input ref="/home_visit/note_done"><label>Thank you</label></input>
  </h:body>
</h:html>
`;

/** Settings as a real project has them: their own indentation, keys, a hand-written outbound entry. */
const SETTINGS = `{
    "locale": "sw",
    "contact_types": [
        { "id": "village", "name_key": "v", "group_key": "v", "create_key": "v", "edit_key": "v", "icon": "icon-places", "create_form": "form:contact:village:create", "edit_form": "form:contact:village:edit" },
        { "id": "member", "parents": ["village"], "name_key": "m", "group_key": "m", "create_key": "m", "edit_key": "m", "icon": "icon-person", "create_form": "form:contact:member:create", "edit_form": "form:contact:member:edit", "person": true }
    ],
    "outbound": {
        "their-own": { "relevant_to": "doc.type === 'x'", "destination": { "base_url": "https://other.example.org", "path": "/in" }, "mapping": { "id": "doc._id" } }
    },
    "transitions": { "death_reporting": false },
    "permissions": { "can_edit": ["chw"] }
}
`;

const THEIR_LIB = 'module.exports = function () { return { t: "str", v: "theirs" }; };\n';

function writeProject(dir: string, layout: 'split' | 'single', usesLib: boolean): void {
  fs.mkdirSync(path.join(dir, 'forms/app'), { recursive: true });
  fs.mkdirSync(path.join(dir, 'extension-libs'), { recursive: true });
  const lib = usesLib ? "cht:extension-lib('fhir-id.js', /home_visit/meta/instanceID, 'Observation/temp')" : "'none'";
  fs.writeFileSync(path.join(dir, 'forms/app/home_visit.xml'), FORM.replace('%LIB%', lib));
  fs.writeFileSync(path.join(dir, 'extension-libs/their-lib.js'), THEIR_LIB);
  fs.writeFileSync(path.join(dir, '.eslintrc'), '{ "env": { "node": true, "es6": true }, "parserOptions": { "ecmaVersion": 2019 } }\n');
  fs.writeFileSync(path.join(dir, 'tasks.js'), 'module.exports = [];\n');
  fs.writeFileSync(path.join(dir, 'targets.js'), 'module.exports = [];\n');
  fs.writeFileSync(path.join(dir, 'contact-summary.templated.js'), 'module.exports = { fields: [], cards: [], context: {} };\n');
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: `scratch-${layout}`, private: true }, null, 2) + '\n');
  if (layout === 'split') {
    fs.mkdirSync(path.join(dir, 'app_settings'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'app_settings/base_settings.json'), SETTINGS);
    fs.writeFileSync(path.join(dir, 'app_settings/forms.json'), '{}\n');
  } else fs.writeFileSync(path.join(dir, 'app_settings.json'), SETTINGS);
}

const cht = (cwd: string, dest: string) =>
  execFileSync(
    path.join(ROOT, 'node_modules/.bin/cht'),
    [
      '--archive',
      `--destination=${dest}`,
      '--skip-dependency-check',
      'compile-app-settings',
      'upload-app-settings',
      'upload-extension-libs',
      'upload-app-forms',
    ],
    {
      cwd,
      stdio: 'pipe',
      env: { ...process.env, NODE_OPTIONS: '' },
    },
  );

function npx(cwd: string, args: string[]): { status: number; out: string } {
  const r = spawnSync('npx', ['--no-install', 'cht-fhir', ...args], { cwd, encoding: 'utf8', timeout: 240000, env: { ...process.env, NODE_OPTIONS: '' } });
  return { status: r.status ?? -1, out: `${r.stdout}${r.stderr}` };
}

const readJson = (file: string) => JSON.parse(fs.readFileSync(file, 'utf8'));
const libsOf = (dest: string) => {
  const doc = readJson(path.join(dest, 'extension-libs.doc.json'));
  return Object.fromEntries(
    Object.entries(doc._attachments as Record<string, { data: string }>).map(([k, v]) => [k, Buffer.from(v.data, 'base64').toString('latin1')]),
  );
};

describe('cht-fhir installed in a cht-conf project (npm pack, npx, real cht-conf)', function () {
  this.timeout(900000);
  let tmp: string;
  let installed: string;

  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cht-fhir-project-'));
    // prepack compiles dist/ (the receiver and the outbox) into the tarball.
    const tgz = execFileSync('npm', ['pack', '--pack-destination', tmp, '--silent'], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } })
      .trim()
      .split('\n')
      .pop()!;
    installed = path.join(tmp, 'split');
    writeProject(installed, 'split', true);
    execFileSync('npm', ['install', '--save-dev', '--prefer-offline', '--no-audit', '--no-fund', path.join(tmp, tgz)], {
      cwd: installed,
      stdio: 'pipe',
      env: { ...process.env, NODE_OPTIONS: '' },
    });
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  for (const layout of ['split', 'single'] as const) {
    it(`${layout} layout: init and build add the FHIR entry and the libs its forms use; every other uploaded setting is unchanged`, () => {
      const dir = path.join(tmp, layout);
      if (layout === 'single') {
        writeProject(dir, 'single', false);
        fs.symlinkSync(path.join(installed, 'node_modules'), path.join(dir, 'node_modules'));
      }
      const settingsFile = path.join(dir, layout === 'split' ? 'app_settings/base_settings.json' : 'app_settings.json');
      const before = path.join(tmp, `${layout}-before`);
      cht(dir, before);

      const init = npx(dir, ['init']);
      assert.equal(init.status, 0, init.out);
      assert.match(init.out, /created app_settings\/fhir\/settings\.json/);
      const draft = readJson(path.join(dir, 'app_settings/fhir/forms/home_visit.json'));
      assert.deepEqual(Object.keys(draft.fields).sort(), ['cough', 'inputs.contact._id', 'meta.instanceID', 'note_done', 'obs_id', 'patient_id', 'temp']);
      assert.match(readJson(path.join(dir, 'app_settings/fhir/settings.json')).id_namespace, /^[0-9a-f-]{36}$/);
      assert.equal(npx(dir, ['init']).out.trim().split('\n').pop(), 'nothing to add: app_settings/fhir/ already has settings and a definition for every form');

      // The admin maps the temperature (UCUM in their terminology), then builds.
      fs.writeFileSync(
        path.join(dir, 'app_settings/fhir/terminology.json'),
        JSON.stringify({ concepts: { temp: { system: 'http://loinc.org', code: '8310-5', display: 'Body temperature' } }, units: { Cel: { display: '°C' } } }),
      );
      fs.writeFileSync(
        path.join(dir, 'app_settings/fhir/forms/home_visit.json'),
        JSON.stringify({ ...draft, observations: [{ field: 'temp', code: 'temp', unit: 'Cel' }] }, null, 2),
      );
      const settingsText = fs.readFileSync(settingsFile, 'utf8');
      const build = npx(dir, ['build']);
      assert.equal(build.status, 0, build.out);
      const after = path.join(tmp, `${layout}-after`);
      cht(dir, after);

      const was = readJson(path.join(before, 'settings.doc.json'));
      const now = readJson(path.join(after, 'settings.doc.json'));
      assert.deepEqual(Object.keys(now.outbound), ['their-own', 'cht-fhir']);
      assert.equal(now.transitions.mark_for_outbound, true);
      const { outbound: o1, transitions: t1, ...rest1 } = was;
      const { outbound: o2, transitions: t2, ...rest2 } = now;
      assert.deepEqual(JSON.stringify(rest2), JSON.stringify(rest1), 'every other setting, in the same order');
      assert.deepEqual(o2['their-own'], o1['their-own']);
      assert.deepEqual({ ...t2, mark_for_outbound: undefined }, { ...t1, mark_for_outbound: undefined });
      // In the file itself only the owned members moved.
      const edited = fs.readFileSync(settingsFile, 'utf8');
      assert.ok(edited.startsWith(settingsText.slice(0, settingsText.indexOf('"outbound"'))), 'bytes before outbound kept');
      // (In the single layout cht-conf's compile-app-settings has rewritten app_settings.json in its own format already.)
      assert.ok(edited.endsWith(settingsText.slice(settingsText.indexOf('"permissions"'))), 'bytes after transitions kept');

      const libs = libsOf(after);
      assert.equal(libs['their-lib.js'], THEIR_LIB);
      assert.deepEqual(Object.keys(libs).sort(), layout === 'split' ? ['fhir-id.js', 'their-lib.js'] : ['their-lib.js'], 'only the libs its forms call');
      assert.ok(fs.existsSync(path.join(after, 'form-home_visit.doc.json')));

      // The uploaded entry maps a report of their form into valid FHIR.
      const doc = {
        _id: 'r1',
        type: 'data_record',
        form: 'home_visit',
        reported_date: 1764500000000,
        contact: { _id: 'chw1' },
        fields: { patient_id: 'p1', temp: '38.5', cough: 'yes', meta: { instanceID: 'uuid:1' } },
      };
      const payload = mapPayload(now.outbound['cht-fhir'], 'cht-fhir', doc) as { bundle: Bundle };
      assertValidR4(payload.bundle);
      const obs = payload.bundle.entry!.map((e) => e.resource!).find((r) => r.resourceType === 'Observation') as {
        valueQuantity?: { value?: number; code?: string };
      };
      assert.deepEqual([obs.valueQuantity?.value, obs.valueQuantity?.code], [38.5, 'Cel']);

      const coverage = npx(dir, ['coverage', '--json']);
      assert.equal(coverage.status, 0, coverage.out);
      const [c] = JSON.parse(coverage.out);
      assert.deepEqual(c.toResources, ['temp']);
      assert.ok(c.onlyInResponse.includes('cough') && c.nowhere.includes('note_done'), coverage.out);

      // A second build changes nothing; a broken definition fails the build and writes nothing.
      assert.equal(npx(dir, ['build']).status, 0);
      assert.equal(fs.readFileSync(settingsFile, 'utf8'), edited);
      fs.writeFileSync(
        path.join(dir, 'app_settings/fhir/forms/home_visit.json'),
        JSON.stringify({ form: 'home_visit', observations: [{ field: 'tmp', code: 'temp' }] }),
      );
      const broken = npx(dir, ['build']);
      assert.equal(broken.status, 1);
      assert.match(broken.out, /app_settings\/fhir\/forms\/home_visit\.json: \/observations\/0\/field: .*tmp/);
      assert.equal(fs.readFileSync(settingsFile, 'utf8'), edited);
    });
  }

  it('the compiled receiver runs from a folder holding only itself and the model, and delivers', async () => {
    const dir = path.join(tmp, 'receiver-host');
    fs.mkdirSync(dir);
    const dist = path.join(installed, 'node_modules/cht-fhir/dist/receiver');
    for (const f of fs.readdirSync(dist)) fs.copyFileSync(path.join(dist, f), path.join(dir, f));
    fs.copyFileSync(path.join(installed, 'fhir-receiver/model.json'), path.join(dir, 'model.json'));
    assert.deepEqual(fs.readdirSync(dir).sort(), ['model.json', 'r4-definitions.json', 'receiver.js']);
    const code = fs.readFileSync(path.join(dir, 'receiver.js'), 'utf8');
    const required = [...code.matchAll(/\brequire\(['"]([^'"]+)['"]\)/g)].map((m) => m[1]);
    assert.deepEqual(
      required.filter((m) => !m.startsWith('node:') && !builtinModules.includes(m)),
      [],
      'nothing but Node itself',
    );

    const fhir: FhirServer = await startFhirServer();
    const receiver = await startReceiverProcess(fhir.url, { dir, args: ['--model', 'model.json'], env: { CHT_URL: 'http://u:p@127.0.0.1:9' } });
    try {
      const settings = readJson(path.join(installed, 'app_settings/base_settings.json'));
      const doc = {
        _id: 'r2',
        type: 'data_record',
        form: 'home_visit',
        reported_date: 1764500000000,
        contact: { _id: 'chw1' },
        fields: { patient_id: 'p1', temp: '37', meta: { instanceID: 'uuid:2' } },
      };
      const payload = mapPayload(settings.outbound['cht-fhir'], 'cht-fhir', doc);
      const post = (body: unknown) =>
        fetch(`${receiver.url}/cht-fhir/push`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: AUTH },
          body: JSON.stringify(body),
        });
      const first = await post(payload);
      assert.equal(first.status, 200, await first.clone().text());
      const again = await post(payload);
      assert.match(await again.text(), /: 0 written, [1-9]\d* already up to date/);
      const bad = await post({
        bundle: { resourceType: 'Bundle', type: 'transaction', entry: [{ resource: { resourceType: 'Observation', id: 'x', status: 'nonsense' } }] },
      });
      assert.equal(bad.status, 400);
      const obs = await fetch(`${fhir.url}/Observation?_count=10`).then((r) => r.json() as Promise<Bundle>);
      assert.equal(obs.entry?.length, 1);
    } finally {
      await receiver.stop();
      await fhir.close();
    }
  });
});
