/** validateR4 µs per push on the generated sample payloads and the bench pushes, and its parts (medplum walk vs the shortcut). `npx tsx bench/validate-r4.ts` */
import { validateResource } from '@medplum/core';
import { validateR4 } from '../src/fhir-validation';
import { provablyValid } from '../src/fhir-validation/fast-path';
import { definitions } from '../src/fhir-validation/definitions';
import { checkShape } from '../src/fhir-validation/structure';
import { checkElements } from '../src/fhir-validation/element-checks';
import { compileDefinitions } from '../src/compiler/definitions/compile';
import { outboundEntries, ENTRY_PREFIX, PAYLOAD_KEY } from '../src/compiler/outbound';
import { mapPayload } from '../src/doubles/cht-outbound-push/cht-outbound';
import { ROOT } from '../harness/repo';
import { sampleDocs } from '../harness/samples';
import { patientDoc, reportDoc } from '../harness/stand-ins/push-bundles';
void (async () => {
  const entry = (await outboundEntries(compileDefinitions(ROOT), {}))[ENTRY_PREFIX];
  const samples = sampleDocs().map(({ doc }) => mapPayload(entry, ENTRY_PREFIX, doc)[PAYLOAD_KEY]);
  const bench = Array.from({ length: 40 }, (_x, i) => (i % 2 ? reportDoc : patientDoc)(i).body.bundle);
  const defs = definitions();
  for (const [name, set] of [
    ['samples', samples],
    ['bench', bench],
  ] as const) {
    const run = (label: string, f: (r: any) => unknown) => {
      for (let k = 0; k < 200; k++) for (const r of set) f(r);
      const n = 1500;
      const t = process.hrtime.bigint();
      for (let k = 0; k < n; k++) for (const r of set) f(r);
      const us = Number(process.hrtime.bigint() - t) / 1000 / (n * set.length);
      console.log(`${name} (${set.length}) ${label}: ${us.toFixed(1)} µs/push`);
    };
    run('validateR4', (r) => validateR4(r));
    run('provablyValid', (r) => provablyValid(r));
    console.log('fast-path share', set.filter((r: any) => provablyValid(r)).length, '/', set.length);
    run('checkShape', (r) => checkShape(r, 'Bundle', defs.resourceTypes));
    run('medplum validateResource', (r) => validateResource(r));
    run('checkElements', (r) => checkElements(r, defs, 'Bundle'));
    run('JSON.parse(stringify)', (r) => JSON.parse(JSON.stringify(r)));
  }
})();
