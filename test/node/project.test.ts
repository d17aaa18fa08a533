import { strict as assert } from 'node:assert';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { projectAt, readProjectSettings } from '../../src/compiler/definitions/project';

describe('cht-conf project layouts (definitions/project)', () => {
  let dir: string;
  const write = (rel: string, text: string) => {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  };
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'layout-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('split layout: base_settings.json wins over app_settings.json, and forms.json replaces its forms as cht-conf does', () => {
    write('app_settings.json', '{"forms": {"OLD": {}}}');
    write('app_settings/base_settings.json', '{"contact_types": [], "forms": {"INLINE": {}}}');
    write('app_settings/forms.json', '{"REFERRAL": {"fields": {}}}');
    const p = projectAt(dir);
    assert.equal(p.layout, 'split');
    const problems: string[] = [];
    assert.deepEqual(Object.keys(readProjectSettings(p, problems)!.forms!), ['REFERRAL']);
    assert.deepEqual(problems, []);
  });

  it('single layout: app_settings.json with its own forms', () => {
    write('app_settings.json', '{"forms": {"REFERRAL": {}}}');
    const p = projectAt(dir);
    assert.equal(p.layout, 'single');
    assert.equal(p.settingsFile, path.join(dir, 'app_settings.json'));
    assert.deepEqual(Object.keys(readProjectSettings(p, [])!.forms!), ['REFERRAL']);
  });

  it('refuses a folder that is not a cht-conf project, and reports unreadable settings without throwing', () => {
    assert.throws(() => projectAt(dir), /not a cht-conf project/);
    write('app_settings.json', '[1]');
    const problems: string[] = [];
    assert.equal(readProjectSettings(projectAt(dir), problems), undefined);
    assert.deepEqual(problems, ['app_settings.json: must be a JSON object']);
  });
});
