import fs from 'node:fs';
import path from 'node:path';
import { compileDefinitions, type Compiled } from '../definitions/compile';
import { mergeOutbound, outboundEntries } from '../outbound/generate';
import { ROOT } from './bundle';

export const BASE_SETTINGS = path.join(ROOT, 'app_settings/base_settings.json');

/** base_settings.json with the generated outbound section, as text (what the build writes). */
export async function appSettingsText(compiled: Compiled = compileDefinitions(ROOT), env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const current = JSON.parse(fs.readFileSync(BASE_SETTINGS, 'utf8'));
  const merged = mergeOutbound(current, await outboundEntries(compiled, env));
  return JSON.stringify(merged, null, 2) + '\n';
}
