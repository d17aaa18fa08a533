import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT } from '../../harness/repo';

/**
 * A scratch cht-conf project: this repo's app_settings (contact types,
 * settings, terminology plus `concepts`) with only the given forms, each an
 * XForm of test/fixtures/forms and its mapping definition.
 */
export function scratchProject(forms: Record<string, object>, concepts: Record<string, object> = {}): { root: string; close(): void } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'scratch-'));
  fs.cpSync(path.join(ROOT, 'app_settings'), path.join(root, 'app_settings'), { recursive: true });
  fs.mkdirSync(path.join(root, 'forms/app'), { recursive: true });
  const defs = path.join(root, 'app_settings/fhir/forms');
  for (const f of fs.readdirSync(defs)) fs.rmSync(path.join(defs, f));
  for (const [form, def] of Object.entries(forms)) {
    fs.copyFileSync(path.join(ROOT, 'test/fixtures/forms', form + '.xml'), path.join(root, 'forms/app', form + '.xml'));
    fs.writeFileSync(path.join(defs, form + '.json'), JSON.stringify({ form, ...def }));
  }
  const termsFile = path.join(root, 'app_settings/fhir/terminology.json');
  const terms = JSON.parse(fs.readFileSync(termsFile, 'utf8'));
  Object.assign(terms.concepts, concepts);
  fs.writeFileSync(termsFile, JSON.stringify(terms));
  return { root, close: () => fs.rmSync(root, { recursive: true, force: true }) };
}
