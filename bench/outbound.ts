import vm from 'node:vm';
import { compileDefinitions } from '../src/definitions/compile';
import { outboundEntries, ENTRY_PREFIX } from '../src/outbound/generate';
import { isRelevant, mapPayload } from '../src/outbound/cht-outbound';
import { hydrate } from '../src/outbound/hydrate';
import { ROOT } from '../src/build/paths';
import { sampleContacts, sampleReports } from '../test/support/samples';

/**
 * Per-doc cost of the generated outbound entry under CHT's semantics
 * (relevant_to + every expr in a fresh vm context), beside a baseline entry
 * written the reference app's way: one expr per field, a Patient with 5 keys.
 */
const BASELINE = {
  relevant_to: "doc.type === 'person'",
  destination: { base_url: 'http://localhost', path: '/patient' },
  mapping: {
    resourceType: { expr: "'Patient'" },
    identifier: { expr: "[{ system: 'cht', value: doc._id }]" },
    name: { expr: '[{ text: doc.name }]' },
    gender: { expr: "doc.sex === 'male' || doc.sex === 'female' ? doc.sex : 'unknown'" },
    birthDate: { expr: 'doc.date_of_birth' },
  },
};

function countContexts<T>(fn: () => T): { value: T; contexts: number } {
  const original = vm.runInNewContext;
  let contexts = 0;
  (vm as { runInNewContext: typeof vm.runInNewContext }).runInNewContext = ((...args: Parameters<typeof vm.runInNewContext>) => {
    contexts++;
    return original(...args);
  }) as typeof vm.runInNewContext;
  try {
    return { value: fn(), contexts };
  } finally {
    (vm as { runInNewContext: typeof vm.runInNewContext }).runInNewContext = original;
  }
}

function perDoc(entry: Parameters<typeof mapPayload>[0] & { relevant_to: string }, doc: Record<string, unknown> & { _id?: string }, n: number): number {
  for (let i = 0; i < 20; i++) isRelevant(entry, doc) && mapPayload(entry, 'bench', doc);
  const t = process.hrtime.bigint();
  for (let i = 0; i < n; i++) isRelevant(entry, doc) && mapPayload(entry, 'bench', doc);
  return Number(process.hrtime.bigint() - t) / 1e6 / n;
}

export async function benchOutbound(): Promise<void> {
  const compiled = compileDefinitions(ROOT);
  const entry = (await outboundEntries(compiled, {}))[ENTRY_PREFIX];
  const contacts = sampleContacts();
  const person = hydrate(contacts.find((c) => c._id === 'woman-1')!, contacts);
  const report = hydrate(sampleReports().find((r) => r._id === 'rep-sick-1')!, contacts);
  const N = 1000;

  const rows: Array<[string, typeof BASELINE | typeof entry, Record<string, unknown>]> = [
    ['baseline: Patient, 5 expr keys (reference-app style)', BASELINE, person],
    ['cht-fhir: person -> Patient bundle', entry, person],
    ['cht-fhir: sick_child report -> full Bundle (14 resources)', entry, report],
  ];
  console.log('\n== outbound push: per-doc cost under vm.runInNewContext (relevant_to + mapping) ==');
  const base = perDoc(BASELINE, person, N);
  for (const [label, e, doc] of rows) {
    const { contexts } = countContexts(() => isRelevant(e, doc) && mapPayload(e, 'bench', doc));
    const ms = label.startsWith('baseline') ? base : perDoc(e, doc, N);
    const bytes = JSON.stringify(mapPayload(e, 'bench', doc)).length;
    console.log(`${label.padEnd(58)} ${ms.toFixed(3)} ms/doc  ${String(contexts).padStart(2)} contexts  payload ${bytes} B  x${(ms / base).toFixed(2)} baseline`);
  }
  const section = JSON.stringify({ [ENTRY_PREFIX]: entry });
  console.log(`generated outbound section: ${section.length} bytes (${(section.length / 1024).toFixed(1)} KB; target < 40 KB), expr ${entry.mapping.bundle.expr.length} bytes`);
}
