import path from 'node:path';
import type { MappingModel } from '../core/model';
import type { Compiled, Settings } from './definitions/compile';
import { bundle, PKG } from './rollup';
import { jsLiteral } from './definitions/js-literal';

/**
 * Compiles the mapping model into CHT outbound push entries. One entry maps
 * every mapped doc, so a doc matches exactly one entry (CHT's retry queue can
 * drop a failed push when a doc matches several) and the core ships once.
 */

export const ENTRY_PREFIX = 'cht-fhir';
/** The mapping key the Bundle travels under: CHT cannot address the payload root. */
export const PAYLOAD_KEY = 'bundle';
const GLOBAL = 'CHT_FHIR';

/** One entry of app settings `outbound`, as CHT reads it (cht-core shared-libs/outbound). */
export interface ChtOutboundEntry {
  relevant_to: string;
  destination: Settings['destination'];
  mapping: Record<string, MappingValue>;
  cron?: string;
}

export type MappingValue = string | { path?: string; expr?: string; optional?: boolean };

/** The entry the build generates: its one mapping is an `expr`. */
export interface OutboundEntry extends ChtOutboundEntry {
  mapping: Record<string, { expr: string }>;
}

/** Build-time overrides, so one config serves test, staging and production. */
export function destinationFor(settings: Settings, env: NodeJS.ProcessEnv = process.env): Settings['destination'] {
  const dest = JSON.parse(JSON.stringify(settings.destination)) as Settings['destination'];
  if (env.CHT_FHIR_BASE_URL) dest.base_url = env.CHT_FHIR_BASE_URL;
  if (env.CHT_FHIR_PATH) dest.path = env.CHT_FHIR_PATH;
  if (env.CHT_FHIR_USERNAME && dest.auth) dest.auth.username = env.CHT_FHIR_USERNAME;
  if (env.CHT_FHIR_PASSWORD_KEY && dest.auth) dest.auth.password_key = env.CHT_FHIR_PASSWORD_KEY;
  return dest;
}

/** `relevant_to`: the docs the model maps, as a cheap sandboxed expression. */
export function relevantTo(model: MappingModel): string {
  const forms = JSON.stringify(Object.keys(model.forms).sort());
  const types = JSON.stringify(Object.keys(model.contacts.types).sort());
  return `!doc._deleted && (doc.type === 'data_record' ? ${forms}.indexOf(doc.form) >= 0 : ${types}.indexOf(doc.type === 'contact' ? doc.contact_type : doc.type) >= 0)`;
}

let coreCode: Promise<string> | undefined;
/** The mapping core as one script defining `CHT_FHIR`; built once per process. */
export function exprCore(): Promise<string> {
  // Sentinel runs it in Node (>= 16 in every CHT 4.x): no need to lower `?.` and `??`.
  coreCode ??= bundle(path.join(PKG, 'src/runtime/sentinel/expr-main.ts'), { format: 'iife', name: GLOBAL, target: 'ES2020' });
  return coreCode;
}

/** The single `expr`: the core, then one call on the doc. Its value is the Bundle. */
export async function mappingExpr(model: MappingModel): Promise<string> {
  const code = (await exprCore()).trim().replace(/;$/, '');
  return `${code};${GLOBAL}.mapDoc(${jsLiteral(model)},doc)`;
}

export async function outboundEntries(compiled: Compiled, env: NodeJS.ProcessEnv = process.env): Promise<Record<string, OutboundEntry>> {
  const entry: OutboundEntry = {
    relevant_to: relevantTo(compiled.model),
    destination: destinationFor(compiled.settings, env),
    mapping: { [PAYLOAD_KEY]: { expr: await mappingExpr(compiled.model) } },
  };
  if (compiled.settings.cron) entry.cron = compiled.settings.cron;
  return { [ENTRY_PREFIX]: entry };
}

export function isGenerated(key: string): boolean {
  return key === ENTRY_PREFIX || key.startsWith(ENTRY_PREFIX + '-');
}
