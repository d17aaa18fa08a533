import fs from 'node:fs';
import path from 'node:path';
import { buildExtensionLibs, libsUsed, writeExtensionLibs } from './extension-libs';
import { outboundEntries } from './outbound';
import { withOwnedSettings } from './settings-file';
import { receiverModel, receiverModelText } from './receiver-model';
import { writeIfChanged, writeSchemas } from './owned-files';
import { compileDefinitions } from './definitions/compile';
import { readInbound } from './definitions/inbound';
import { projectAt } from './definitions/project';

/**
 * `cht-fhir build` in a cht-conf project: compiles the mapping definitions
 * and writes only what the tool owns: the generated outbound entry and
 * `transitions.mark_for_outbound` in the settings file (text edits, every
 * other byte kept), the extension libs the project uses, the definitions'
 * JSON Schemas and the receiver's model. Nothing is written unless all of
 * it built.
 */
export async function build(root: string, log: (line: string) => void = console.log, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const project = projectAt(root);
  const rel = (file: string) => path.relative(project.root, file);
  const compiled = compileDefinitions(project.root);
  const inbound = readInbound(project.root);
  const entries = await outboundEntries(compiled, env);
  const before = fs.readFileSync(project.settingsFile, 'utf8');
  const settings = withOwnedSettings(before, entries, rel(project.settingsFile));
  const used = libsUsed(project, compiled.settings.extension_libs);
  const libs = await buildExtensionLibs(compiled, used.keys());
  const model = receiverModelText(receiverModel(compiled, inbound));

  const { removed } = writeExtensionLibs(libs, project.libsDir);
  writeIfChanged(project.settingsFile, settings);
  writeSchemas(project.fhirDir);
  writeIfChanged(project.receiverModel, model);

  const outboundBytes = Object.values(entries).reduce((n, e) => n + JSON.stringify(e).length, 0);
  log(
    `${rel(project.settingsFile)}  outbound: ${Object.keys(compiled.model.forms).length} forms, ${Object.keys(compiled.model.contacts.types).length} contact types, ${outboundBytes} bytes`,
  );
  for (const [name, code] of libs) log(`${rel(path.join(project.libsDir, name))}  ${code.length} bytes (used by ${used.get(name)!.join(', ')})`);
  for (const name of removed) log(`${rel(path.join(project.libsDir, name))}  removed (no form uses it)`);
  log(`${rel(project.receiverModel)}  ${inbound.length} inbound mappings (${inbound.map((m) => m.name).join(', ') || 'none'}), ${model.length} bytes`);
}
