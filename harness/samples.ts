import fs from 'node:fs';
import path from 'node:path';
import { ROOT } from './repo';
import { hydrate } from '../src/doubles/cht-outbound-push/hydrate';

export type Doc = Record<string, unknown> & { _id: string };

const dir = path.join(ROOT, 'samples');
export const sampleContacts = (): Doc[] => JSON.parse(fs.readFileSync(path.join(dir, 'contacts.json'), 'utf8'));
export const sampleReports = (): Doc[] => JSON.parse(fs.readFileSync(path.join(dir, 'reports.json'), 'utf8'));

/** Every sample doc as stored in CouchDB and as CHT hydrates it for outbound push. */
export function sampleDocs(): Array<{ label: string; doc: Doc }> {
  const contacts = sampleContacts();
  const all = [...contacts, ...sampleReports()];
  return all.flatMap((doc) => [
    { label: `${doc._id} (stored)`, doc },
    { label: `${doc._id} (hydrated)`, doc: hydrate(doc, contacts) as Doc },
  ]);
}
