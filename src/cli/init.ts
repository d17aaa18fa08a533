import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { projectAt } from '../compiler/definitions/project';
import { parseXForm } from '../compiler/definitions/xform';
import { writeSchemas } from '../compiler/owned-files';
import { UsageError } from './usage-error';
import { filesIn } from '../compiler/definitions/folder';

/**
 * `cht-fhir init`: adds app_settings/fhir/ to a cht-conf project: settings
 * with a freshly generated id namespace, an empty terminology, and for each
 * XForm in forms/app/ without one a draft definition that maps nothing
 * clinical yet (its reports go out as Encounter + QuestionnaireResponse) but
 * lists the form's fields. Never overwrites a file the admin edits (the
 * schemas are the tool's and are refreshed); run again after adding
 * forms.
 */
export function init(root: string, log: (line: string) => void): string[] {
  const project = projectAt(root);
  const created: string[] = [];
  const create = (rel: string, data: unknown) => {
    const file = path.join(project.fhirDir, rel);
    if (fs.existsSync(file)) return;
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, JSON.stringify(data, null, 2) + '\n', { flag: 'wx' });
    created.push(path.relative(project.root, file));
  };
  create('settings.json', {
    $schema: 'schema/settings.schema.json',
    identifier_base: 'https://fhir.example.org/sid',
    id_namespace: crypto.randomUUID(),
    destination: { base_url: 'http://openhim-core:5001', path: '/cht-fhir/push', auth: { type: 'basic', username: 'cht', password_key: 'cht-fhir-receiver' } },
  });
  writeSchemas(project.fhirDir);
  create('terminology.json', { $schema: 'schema/terminology.schema.json', concepts: {} });
  const formsDir = path.join(project.root, 'forms/app');
  const xmls = filesIn(formsDir, '.xml');
  for (const f of xmls) {
    const rel = path.relative(project.root, path.join(formsDir, f));
    let fields: Record<string, string>;
    try {
      const x = parseXForm(fs.readFileSync(path.join(formsDir, f), 'utf8'), rel);
      fields = Object.fromEntries(Object.entries(x.fields).map(([name, field]) => [name, field.rawType ?? field.type]));
    } catch (e) {
      throw new UsageError(`${rel} cannot be read as an XForm: ${(e as Error).message}`, 'fix the form (cht-conf would refuse it too), then run init again');
    }
    create(`forms/${path.basename(f, '.xml')}.json`, { $schema: '../schema/form.schema.json', form: path.basename(f, '.xml'), fields });
  }
  for (const c of created) log(`created ${c}`);
  if (!created.length) log('nothing to add: app_settings/fhir/ already has settings and a definition for every form');
  else log('next: set identifier_base and destination in app_settings/fhir/settings.json, map fields in app_settings/fhir/forms/, then run cht-fhir build');
  return created;
}
