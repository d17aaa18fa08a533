import { performance } from 'node:perf_hooks';
import { compileDefinitions } from '../src/compiler/definitions/compile';
import { outboundEntries, ENTRY_PREFIX } from '../src/compiler/outbound';
import { mapPayload } from '../src/doubles/cht-outbound-push/cht-outbound';
import { hydrate } from '../src/doubles/cht-outbound-push/hydrate';
import { startFhirServer } from '../src/doubles/fhir-store';
import { startReceiver } from '../src/runtime/receiver';
import { journeyDocs, journeyProject } from '../harness/journey';
import { sampleContacts, type Doc } from '../harness/samples';
import { CREDS, push } from '../harness/receiver-stack';

/**
 * Issue 22: the per-doc cost of a push that updates resources several
 * reports write (a home visit merged into its episode and the pregnancy
 * Condition the registration made) beside the same push whose shared
 * resources are new (its episode never seen: created, nothing to merge).
 * Receiver over loopback HTTP to the embedded store, one push at a time.
 */
const N = 200;

export async function benchLongitudinal(): Promise<void> {
  const project = journeyProject();
  const fhir = await startFhirServer();
  const receiver = await startReceiver({ auth: CREDS, fhirBaseUrl: fhir.url });
  try {
    const entry = (await outboundEntries(compileDefinitions(project.root), {}))[ENTRY_PREFIX];
    const j = journeyDocs(1);
    const all = [...sampleContacts(), ...j.contacts];
    const url = `${receiver.url}/cht-fhir/push`;
    const payload = (d: Doc) => mapPayload(entry, ENTRY_PREFIX, hydrate(d, all));
    for (const c of all) await push(url, payload({ ...c, _rev: '1-a' }));
    await push(url, payload(j.reports[0]));
    const visit = j.reports[1];
    const visitOf = (i: number, episode: string): Doc => ({
      ...visit,
      _id: `bench-hv-${episode}-${i}`,
      fields: { ...(visit.fields as Doc), pregnancy_uuid: episode, meta: { instanceID: `uuid:bench-hv-${episode}-${i}` } },
    });
    const time = async (docs: Doc[]) => {
      const bodies = docs.map(payload);
      for (const b of bodies.slice(0, 20)) await push(url, b);
      const t = performance.now();
      for (const b of bodies.slice(20)) await push(url, b);
      return (performance.now() - t) / (bodies.length - 20);
    };
    // Alternate the two so a machine slowing down mid-run skews both alike.
    const created: number[] = [];
    const merged: number[] = [];
    for (let round = 0; round < 3; round++) {
      created.push(await time(Array.from({ length: N / 3 + 20 }, (_, i) => visitOf(i, `new-episode-${round}-${i}`))));
      // Each visit states the episode and pregnancy Condition of one registration: merged into what the visits before it said.
      merged.push(await time(Array.from({ length: N / 3 + 20 }, (_, i) => visitOf(round * 1000 + i, j.facts.reg1))));
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[1];
    const c = median(created);
    const m = median(merged);
    console.log('\n## Longitudinal record (receiver -> embedded store over HTTP, one push at a time)');
    console.log(`home visit, its episode and Conditions new (created):        ${c.toFixed(2)} ms/push`);
    console.log(`home visit, merged into its episode and pregnancy Condition: ${m.toFixed(2)} ms/push (${(m / c).toFixed(2)}x)`);
  } finally {
    await receiver.close();
    await fhir.close();
    project.close();
  }
}
