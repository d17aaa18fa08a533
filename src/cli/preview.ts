import fs from 'node:fs';
import type { Bundle } from 'fhir/r4';
import { isRelevant, mapPayload, type OutboundEntry } from '../doubles/cht-outbound-push/cht-outbound';
import { hydrate } from '../doubles/cht-outbound-push/hydrate';
import { projectAt } from '../compiler/definitions/project';
import { validateR4, formatIssues } from '../fhir-validation';
import { UsageError } from './usage-error';

/**
 * `cht-fhir preview <doc.json>`: runs every outbound entry of the app settings
 * on a doc exactly as CHT would, and prints each payload with a verdict on
 * each FHIR resource in it.
 */
export interface PreviewOptions {
  /** The cht-conf project whose settings are read (unless `settings` names a file). */
  root: string;
  hydrated?: boolean;
  contacts?: string;
  settings?: string;
}

function readJson(file: string, what: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    throw new UsageError(`cannot read ${what} ${file}`, 'check the path');
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new UsageError(`${file} is not JSON: ${(e as Error).message}`, 'give a CouchDB doc as JSON');
  }
}

export function preview(docFile: string, opts: PreviewOptions, out: (s: string) => void): { invalid: number; failed: number; sent: number } {
  const doc = readJson(docFile, 'doc') as Record<string, unknown>;
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw new UsageError(`${docFile} is not a CHT doc (a JSON object)`, 'give one doc, not a list');
  const contacts = opts.contacts ? (readJson(opts.contacts, 'contacts') as Array<Record<string, unknown>>) : [];
  if (!Array.isArray(contacts)) throw new UsageError(`${opts.contacts} must be a JSON array of contact docs`, 'list the docs CHT would hydrate from');
  const hydratedDoc = opts.hydrated ? doc : hydrate(doc, contacts);
  const settings = readJson(opts.settings ?? projectAt(opts.root).settingsFile, 'app settings') as { outbound?: Record<string, OutboundEntry> };
  const result = { invalid: 0, failed: 0, sent: 0 };
  for (const [name, entry] of Object.entries(settings.outbound ?? {})) {
    if (!isRelevant(entry, hydratedDoc)) {
      out(`# ${name}: not relevant to ${String(doc._id)}`);
      continue;
    }
    let payload: Record<string, unknown>;
    try {
      payload = mapPayload(entry, name, hydratedDoc);
    } catch (e) {
      result.failed++;
      out(`# ${name}: push FAILS (CHT would retry every 5 minutes): ${(e as Error).message}`);
      continue;
    }
    result.sent++;
    out(`# ${name}: POST ${String(entry.destination?.base_url ?? '')}${String(entry.destination?.path ?? '')}`);
    out(JSON.stringify(payload, null, 2));
    for (const value of Object.values(payload)) {
      const bundle = value as Bundle;
      if (!bundle || (bundle as { resourceType?: string }).resourceType !== 'Bundle') continue;
      for (const [i, e] of (bundle.entry ?? []).entries()) {
        const issues = validateR4(e.resource);
        const label = `${e.resource?.resourceType}/${e.resource?.id}`;
        if (issues.length) {
          result.invalid++;
          out(`# INVALID entry[${i}] ${label}\n${formatIssues(issues).replace(/^/gm, '#   ')}`);
        } else out(`# valid   entry[${i}] ${label}`);
      }
    }
  }
  return result;
}
