import { strict as assert } from 'node:assert';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildExtensionLibs, libsUsed, writeExtensionLibs, LIB_NAMES } from '../../src/compiler/extension-libs';
import { projectAt } from '../../src/compiler/definitions/project';
import { compileDefinitions } from '../../src/compiler/definitions/compile';
import { settingsSchema } from '../../src/compiler/definitions/schema';
import { checkLoadsLikeCht, loadLikeCht } from '../../src/compiler/cht-lib-loader';
import { ROOT } from '../../harness/repo';
import { spawnSync } from 'node:child_process';

describe('extension libs build', () => {
  let built: Map<string, string>;
  before(async function () {
    this.timeout(120000);
    built = await buildExtensionLibs(compileDefinitions(ROOT));
  });

  const LIB_OUTPUT = path.join(ROOT, 'extension-libs');
  it('committed extension-libs/ is exactly what the sources build (run `npm run build`)', () => {
    const committed = fs
      .readdirSync(LIB_OUTPUT)
      .filter((f) => f.endsWith('.js'))
      .sort();
    assert.deepEqual(committed, [...built.keys()].sort());
    for (const [name, code] of built) {
      assert.equal(fs.readFileSync(path.join(LIB_OUTPUT, name), 'utf8'), code, `extension-libs/${name} is stale`);
    }
  });

  it('every lib is ASCII only, has no require, and exports a function via module.exports', () => {
    for (const [name, code] of built) {
      assert.ok(!/[^\t\n\r -~]/.test(code), name); // printable ASCII
      assert.ok(!/\brequire\s*\(/.test(code), name);
      assert.match(code, /module\.exports\s*=/, name);
      assert.equal(typeof loadLikeCht(code), 'function', name);
    }
  });

  it('refuses a lib with non-ASCII bytes, a require, no export, or one that throws on load', () => {
    assert.throws(() => checkLoadsLikeCht('a.js', 'module.exports=function(){return "\u00e9"}'), /a\.js: non-ASCII/);
    assert.throws(() => checkLoadsLikeCht('b.js', 'var x=require("fs");module.exports=function(){}'), /b\.js: references require/);
    assert.throws(() => checkLoadsLikeCht('c.js', 'exports.f=function(){}'), /c\.js: fails to load|c\.js: module\.exports is/);
    assert.throws(() => checkLoadsLikeCht('d.js', 'throw new Error("boom")'), /d\.js: fails to load the way CHT loads it: boom/);
    assert.throws(() => checkLoadsLikeCht('e.js', 'module.exports = 42'), /e\.js: module\.exports is number/);
  });

  it('a type error fails the bundle with the file name', function () {
    this.timeout(60000);
    // In a child process: the TypeScript plugin's watcher outlives a failed build
    // and would fire in this process once the broken file is removed.
    const dir = fs.mkdtempSync(path.join(ROOT, 'src/.broken-'));
    try {
      const entry = path.join(dir, 'broken.ts');
      fs.writeFileSync(entry, 'const n: number = "text";\nexport default function () { return n; }\n');
      const script = `require('./src/compiler/rollup.ts').bundle(${JSON.stringify(entry)}, { format: 'cjs' }).then(() => process.exit(0), (e) => { console.error(e.message); process.exit(3); })`;
      const r = spawnSync(process.execPath, ['-r', 'tsx/cjs', '-e', script], { cwd: ROOT, encoding: 'utf8', timeout: 60000 });
      assert.equal(r.status, 3, r.stderr);
      assert.match(r.stderr, /broken\.ts/);
      assert.match(r.stderr, /TS2322/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('finds the libs a project calls (forms, escaped quotes, tasks), and fails the build on a call to a lib that exists nowhere', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'libs-used-'));
    try {
      const put = (rel: string, text: string) => {
        fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
        fs.writeFileSync(path.join(dir, rel), text);
      };
      put('app_settings.json', '{}');
      put('extension-libs/their.js', 'module.exports = function () {};');
      put('forms/app/a.xml', `<bind calculate="cht:extension-lib('fhir-id.js', 1)"/><bind calculate="cht:extension-lib(&apos;their.js&apos;)"/>`);
      put('tasks.js', "cht.v1.getExtensionLib('fhirpath.js')");
      assert.deepEqual(
        [...libsUsed(projectAt(dir), ['fhir-terminology.js'])],
        [
          ['fhir-terminology.js', ['app_settings/fhir/settings.json']],
          ['fhir-id.js', ['forms/app/a.xml']],
          ['fhirpath.js', ['tasks.js']],
        ],
      );
      put('forms/contact/b.xml', `<bind calculate="cht:extension-lib('fhir-idd.js', 1)"/>`);
      assert.throws(() => libsUsed(projectAt(dir)), /forms\/contact\/b\.xml: calls the extension lib 'fhir-idd\.js', which is not in extension-libs\//);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("the settings schema's extension_libs names exactly the libs there are", () => {
    assert.deepEqual(settingsSchema.properties.extension_libs.items.enum, LIB_NAMES);
  });

  it('writes only its own libs: files of other libs stay, its unused libs go, each file written whole', () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'libs-'));
    const out = path.join(tmp, 'extension-libs');
    fs.mkdirSync(out);
    fs.writeFileSync(path.join(out, 'their-own.js'), 'module.exports=function(){}');
    fs.writeFileSync(path.join(out, 'fhirpath.js'), 'old');
    const r = writeExtensionLibs(new Map([['fhir-id.js', 'module.exports=function(){}\n']]), out);
    assert.deepEqual(r, { written: ['fhir-id.js'], removed: ['fhirpath.js'] });
    assert.deepEqual(fs.readdirSync(out).sort(), ['fhir-id.js', 'their-own.js']);
    assert.equal(fs.readFileSync(path.join(out, 'their-own.js'), 'utf8'), 'module.exports=function(){}');
    assert.deepEqual(
      writeExtensionLibs(new Map([['fhir-id.js', 'module.exports=function(){}\n']]), out),
      { written: [], removed: [] },
      'unchanged: nothing rewritten',
    );
    fs.rmSync(tmp, { recursive: true, force: true });
  });
});
