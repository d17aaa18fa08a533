import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT } from '../../harness/repo';

/** Runs the real cht-conf in --archive mode: what `cht --local` would upload, without a CHT. */
export function chtArchive(actions: string[]): string {
  const dest = fs.mkdtempSync(path.join(os.tmpdir(), 'cht-archive-'));
  execFileSync(path.join(ROOT, 'node_modules/.bin/cht'), ['--archive', `--destination=${dest}`, '--skip-dependency-check', ...actions], {
    cwd: ROOT,
    stdio: 'pipe',
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  return dest;
}

describe('cht-conf archive (what cht --local uploads)', function () {
  this.timeout(180000);
  let dest: string;
  before(() => {
    dest = chtArchive(['compile-app-settings', 'upload-app-settings', 'upload-extension-libs', 'upload-app-forms', 'upload-contact-forms']);
  });
  after(() => fs.rmSync(dest, { recursive: true, force: true }));

  it('uploads settings with mark_for_outbound on', () => {
    const settings = JSON.parse(fs.readFileSync(path.join(dest, 'settings.doc.json'), 'utf8'));
    assert.equal(settings.transitions.mark_for_outbound, true);
    assert.ok(settings.outbound && typeof settings.outbound === 'object');
  });

  it('uploads every app form and a create and edit form for every contact type', () => {
    const files = fs.readdirSync(dest);
    for (const f of fs.readdirSync(path.join(ROOT, 'forms/app')).filter((n) => n.endsWith('.xml')))
      assert.ok(files.includes(`form-${f.replace(/\.xml$/, '')}.doc.json`), f);
    const settings = JSON.parse(fs.readFileSync(path.join(dest, 'settings.doc.json'), 'utf8'));
    for (const t of settings.contact_types as Array<{ id: string }>) {
      for (const action of ['create', 'edit']) assert.ok(files.includes(`form-contact-${t.id}-${action}.doc.json`), `${t.id}-${action}`);
    }
  });

  it('uploads every built extension lib as an attachment of the extension-libs doc', () => {
    const doc = JSON.parse(fs.readFileSync(path.join(dest, 'extension-libs.doc.json'), 'utf8'));
    const built = fs
      .readdirSync(path.join(ROOT, 'extension-libs'))
      .filter((f) => f.endsWith('.js'))
      .sort();
    assert.ok(built.length > 0);
    assert.deepEqual(Object.keys(doc._attachments).sort(), built);
    for (const name of built) {
      const attached = Buffer.from(doc._attachments[name].data, 'base64').toString('latin1');
      assert.equal(attached, fs.readFileSync(path.join(ROOT, 'extension-libs', name), 'latin1'));
    }
  });
});
