import { strict as assert } from 'node:assert';
import http from 'node:http';
import type { FhirResource, Patient } from 'fhir/r4';
import { assertValidR4, preloadR4Definitions } from '../../src/fhir-validation';
import { startFhirServer } from '../../src/doubles/fhir-store';
import { startHapi } from '../../harness/hapi';
import { chtRetryLoop } from '../../harness/stand-ins/cht-retry';
import { organizationDocs, patientDoc, pushDocs, mulberry32, type PushDoc } from '../../harness/stand-ins/push-bundles';
import { startReceiverProcess, type ReceiverProcess } from '../../harness/stand-ins/receiver-process';
import { startRoundRobin, type RoundRobin } from '../../harness/stand-ins/round-robin';
import { expectedResources, withoutMeta } from '../../harness/receiver-stack';
import { sameContent } from '../../src/runtime/receiver/same-content';
import { countOf, historyOf } from './fhir-http';

/** What the checks need from a FHIR server: its URL, a resource's versions (newest first), a count per type. */
interface Backend {
  url: string;
  history(key: string): Promise<FhirResource[]>;
  count(type: string): Promise<number>;
  stop(): Promise<void>;
  /** HAPI makes no new version for identical content; the embedded store does (two receivers creating one resource at once both write). */
  identicalWriteIsNoop: boolean;
}

const backends: Record<string, () => Promise<Backend>> = {
  'HAPI FHIR JPA (defaults)': async () => {
    const hapi = await startHapi();
    return { url: hapi.url, history: (k) => historyOf(hapi.url, k), count: (t) => countOf(hapi.url, t), stop: () => hapi.stop(), identicalWriteIsNoop: true };
  },
  'the embedded store over HTTP': async () => {
    const fhir = await startFhirServer();
    const history = async (key: string) =>
      ((await fhir.repo.readHistory(key.split('/')[0], key.split('/')[1])).entry ?? []).map((e) => e.resource as unknown as FhirResource);
    const count = async (type: string) => (await fhir.repo.search({ resourceType: type as 'Patient', count: 100000 })).entry?.length ?? 0;
    return { url: fhir.url, history, count, stop: () => fhir.close(), identicalWriteIsNoop: false };
  },
};

/** Conflicting pushes: `variants` different versions of each of `patients` Patients (a name edited on several phones). */
function conflictingDocs(patients: number, variants: number): PushDoc[] {
  const out: PushDoc[] = [];
  for (let k = 0; k < patients; k++) {
    for (let v = 0; v < variants; v++) {
      const doc = patientDoc(7000 + k);
      const p = doc.body.bundle.entry![0].resource as Patient;
      p.name = [{ family: p.name![0].family, given: [`Variant${v}`] }];
      out.push({ ...doc, docId: `${doc.docId}/v${v}` });
    }
  }
  return out;
}

function shuffled<T>(items: T[], seed: number): T[] {
  const out = [...items];
  const rand = mulberry32(seed);
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

for (const [name, startBackend] of Object.entries(backends)) {
  describe(`3 receiver processes behind a round-robin front, 50 clients, against ${name}`, function () {
    this.timeout(600_000);
    let backend: Backend;
    let receivers: ReceiverProcess[] = [];
    let front: RoundRobin;
    before(async () => {
      preloadR4Definitions();
      backend = await startBackend();
      receivers = await Promise.all([0, 1, 2].map(() => startReceiverProcess(backend.url)));
      front = await startRoundRobin(receivers.map((r) => r.url));
    });
    after(async () => {
      await front?.close();
      await Promise.all(receivers.map((r) => r.stop()));
      await backend?.stop();
    });

    it('duplicate and conflicting pushes spread across them: every resource exactly once, no lost update', async () => {
      const plain = [...organizationDocs(), ...pushDocs(600, 31)];
      const conflicts = conflictingDocs(20, 5);
      const all = shuffled([...plain, ...plain, ...conflicts, ...conflicts], 77);
      const accepted = new Map<string, FhirResource[]>(); // Patient key -> variants answered 200
      const onAnswer = (d: PushDoc, status: number) => {
        if (status !== 200 || !d.docId.includes('/v')) return;
        accepted.set(d.keys[0], [...(accepted.get(d.keys[0]) ?? []), d.body.bundle.entry![0].resource!]);
      };
      const agent = new http.Agent({ keepAlive: true, maxSockets: 50 });
      const { left, rounds, statuses } = await chtRetryLoop(`${front.url}/cht-fhir/push`, all, agent, { concurrency: 50, maxRounds: 20, onAnswer });
      agent.destroy();
      console.log(
        `      ${all.length} pushes, ${rounds} rounds, statuses ${JSON.stringify(Object.fromEntries(statuses))}, per receiver ${front.counts.join('/')}`,
      );
      assert.equal(left.length, 0);
      assert.ok(
        [...statuses.keys()].every((s) => s === 200 || s === 503),
        JSON.stringify(Object.fromEntries(statuses)),
      );
      assert.ok(
        front.counts.every((n) => n > all.length / 4),
        'the front spread the pushes',
      );

      // Plain docs: one version each, exactly as pushed.
      // Plain docs: exactly as pushed; one version on HAPI. The embedded store may hold a second,
      // identical version where two receivers created the resource at once (no If-Match on a create).
      const expected = expectedResources(plain);
      let identicalExtra = 0;
      for (const [key, r] of expected) {
        const versions = await backend.history(key);
        if (backend.identicalWriteIsNoop) assert.equal(versions.length, 1, `${key}: one version`);
        for (const v of versions) assert.deepEqual(withoutMeta(v), r, key);
        assertValidR4(withoutMeta(versions[0]));
        identicalExtra += versions.length - 1;
      }
      console.log(`      identical extra versions: ${identicalExtra} of ${expected.size} resources`);
      // Conflicts: every variant answered 200 is a version of its Patient (none lost), no version repeats the one before it.
      for (const key of new Set(conflicts.map((d) => d.keys[0]))) {
        const versions = await backend.history(key);
        for (const v of accepted.get(key) ?? [])
          assert.ok(
            versions.some((s) => sameContent(s, v)),
            `${key}: accepted ${JSON.stringify((v as Patient).name)} is stored`,
          );
        if (backend.identicalWriteIsNoop)
          for (let i = 1; i < versions.length; i++) assert.ok(!sameContent(versions[i], withoutMeta(versions[i - 1])), `${key}: version ${i} repeats the next`);
        assert.ok(versions.length <= 5 * 2, key);
      }
      const perType = new Map<string, number>([['Patient', 20]]);
      for (const key of expected.keys()) perType.set(key.split('/')[0], (perType.get(key.split('/')[0]) ?? 0) + 1);
      for (const [type, n] of perType) assert.equal(await backend.count(type), n, `${type}: nothing duplicated`);
    });
  });
}
