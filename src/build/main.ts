import fs from 'node:fs';
import path from 'node:path';
import { buildExtensionLibs, writeExtensionLibs } from './extension-libs';
import { appSettingsText, BASE_SETTINGS } from './app-settings';
import { compileDefinitions } from '../definitions/compile';
import { compileInbound } from '../inbound/definitions';
import { schemaFiles, schemaFileText } from '../definitions/schema';
import { ROOT } from './bundle';
import { buildOutbox, writeOutbox } from './outbox';

/** Builds everything cht-conf uploads; nothing is written unless all of it built. */
export async function build(log: (line: string) => void = console.log): Promise<void> {
  const compiled = compileDefinitions(ROOT);
  const inbound = compileInbound(ROOT); // FHIRPath compiled now: a bad expression fails the build, not a delivery
  const settings = await appSettingsText(compiled);
  const libs = await buildExtensionLibs();
  const outbox = await buildOutbox();
  writeExtensionLibs(libs);
  if (fs.readFileSync(BASE_SETTINGS, 'utf8') !== settings) fs.writeFileSync(BASE_SETTINGS, settings);
  writeSchemas();
  const outbound = JSON.stringify(JSON.parse(settings).outbound);
  log(`app_settings/base_settings.json  outbound: ${Object.keys(compiled.model.forms).length} forms, ${Object.keys(compiled.model.contacts.types).length} contact types, ${outbound.length} bytes`);
  log(writeOutbox(outbox));
  log(`app_settings/fhir/inbound  ${inbound.length} inbound mappings (${inbound.map((m) => m.def.name).join(', ')})`);
  for (const [name, code] of libs) log(`${path.relative(ROOT, path.join(ROOT, 'extension-libs', name))}  ${code.length} bytes`);
}

/** JSON Schemas of the definitions, for editors ($schema in each file); the build checks the same ones. */
function writeSchemas(): void {
  const dir = path.join(ROOT, 'app_settings/fhir/schema');
  fs.mkdirSync(dir, { recursive: true });
  for (const [name, schema] of Object.entries(schemaFiles)) {
    const file = path.join(dir, name);
    const text = schemaFileText(name, schema);
    if (!fs.existsSync(file) || fs.readFileSync(file, 'utf8') !== text) fs.writeFileSync(file, text);
  }
}

if (require.main === module) {
  build().catch((e) => {
    console.error(`build failed: ${e.message}`);
    process.exit(1);
  });
}
