import vm from 'node:vm';
import { compileDefinitions } from '../src/compiler/definitions/compile';
import { outboundEntries, exprCore, ENTRY_PREFIX } from '../src/compiler/outbound';
import type { MappingModel } from '../src/core/model';
import { isRelevant, mapPayload } from '../src/doubles/cht-outbound-push/cht-outbound';
import { hydrate } from '../src/doubles/cht-outbound-push/hydrate';
import { ROOT } from '../harness/repo';
import { sampleContacts, sampleReports } from '../harness/samples';
import { kb, outboundBytes } from './outbound-bytes';

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
  const person = hydrate(
    contacts.find((c) => c._id === 'woman-1')!,
    contacts,
  );
  const report = hydrate(
    sampleReports().find((r) => r._id === 'rep-sick-1')!,
    contacts,
  );
  const delivery = hydrate(tripletsOf(sampleReports().find((r) => r._id === 'rep-birth-1')!), contacts);
  const N = 1000;

  const rows: Array<[string, typeof BASELINE | typeof entry, Record<string, unknown>]> = [
    ['baseline: Patient, 5 expr keys (reference-app style)', BASELINE, person],
    ['cht-fhir: person -> Patient bundle', entry, person],
    ['cht-fhir: sick_child report -> full Bundle', entry, report],
    ['cht-fhir: childbirth, 3 babies -> full Bundle', entry, delivery],
  ];
  console.log('\n== outbound push: per-doc cost under vm.runInNewContext (relevant_to + mapping) ==');
  const base = perDoc(BASELINE, person, N);
  for (const [label, e, doc] of rows) {
    const { contexts } = countContexts(() => isRelevant(e, doc) && mapPayload(e, 'bench', doc));
    const ms = label.startsWith('baseline') ? base : perDoc(e, doc, N);
    const payload = mapPayload(e, 'bench', doc);
    const bytes = JSON.stringify(payload).length;
    const entries = ((payload.bundle as { entry?: unknown[] } | undefined)?.entry ?? []).length;
    console.log(
      `${label.padEnd(50)} ${ms.toFixed(3)} ms/doc  ${String(contexts).padStart(2)} contexts  ${String(entries || 1).padStart(2)} resources  payload ${bytes} B  x${(ms / base).toFixed(2)} baseline`,
    );
  }
  const section = JSON.stringify({ [ENTRY_PREFIX]: entry });
  console.log(`generated outbound section: ${section.length} bytes (${(section.length / 1024).toFixed(1)} KB), expr ${entry.mapping.bundle.expr.length} bytes`);
  printOutboundBytes(compiled.model, await exprCore());
}

/** The section's bytes as printed by `npm run bench`: the shared part, then each form's part. */
function printOutboundBytes(model: MappingModel, core: string): void {
  const { shared, forms, total } = outboundBytes(model, core);
  console.log(`outbound bytes: shared ${shared} B (${kb(shared)}; target <= 20 KB)`);
  for (const f of forms)
    console.log(
      `  form ${f.form.padEnd(20)} ${String(f.bytes).padStart(5)} B  (rules and shape ${f.rulesAndShape} B, ${f.concepts} concepts ${f.conceptBytes} B)`,
    );
  console.log(`  average per form ${(total / forms.length / 1024).toFixed(2)} KB (target <= 2.5 KB)`);
}

/** The sample delivery with a third baby: a large report. */
function tripletsOf(doc: Record<string, unknown>): Record<string, unknown> {
  const copy = JSON.parse(JSON.stringify(doc));
  const babies = copy.fields.babies.baby;
  babies.push({ ...JSON.parse(JSON.stringify(babies[0])), child_doc: 'baby-3' });
  copy.fields.outcome.babies_born = '3';
  return copy;
}
