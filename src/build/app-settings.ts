import fs from 'node:fs';
import { compileDefinitions, type Compiled } from '../definitions/compile';
import { mergeOutbound, outboundEntries } from '../outbound/generate';
import { ROOT, BASE_SETTINGS } from './paths';

export { BASE_SETTINGS };

/** base_settings.json with the generated outbound section, as text (what the build writes). */
export async function appSettingsText(compiled: Compiled = compileDefinitions(ROOT), env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const current = JSON.parse(fs.readFileSync(BASE_SETTINGS, 'utf8'));
  const merged = mergeOutbound(current, await outboundEntries(compiled, env));
  return JSON.stringify(merged, null, 2) + '\n';
}
