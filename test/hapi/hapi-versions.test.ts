import { strict as assert } from 'node:assert';
import type { FhirResource } from 'fhir/r4';
import { assertValidR4, preloadR4Definitions } from '../../src/fhir-validation';
import { startReceiver, type Receiver } from '../../src/runtime/receiver';
import { sourceVersionOf } from '../../src/core/source-version';
import { startHapi, type Hapi } from '../../harness/hapi';
import { versionedPushes } from '../support/versioned-pushes';
import { startFaultProxy, type FaultProxy } from '../../harness/stand-ins/fault-proxy';
import { CREDS, push } from '../../harness/receiver-stack';
import { fhirCall, historyOf } from './fhir-http';

/**
 * The newest source version wins on HAPI FHIR JPA too, whatever order pushes
 * arrive or commit in (the same races as test/node/receiver-versions.test.ts
 * on the embedded store). HAPI ignores `If-None-Match: *` on a transaction
 * entry, so a create that lands on a resource written meanwhile overwrites
 * it; the receiver reads the history and puts a newer version back. A proxy
 * between the receivers and HAPI holds transactions (past the deadline, or
 * until both racing creates are in); a proxy in front of a receiver holds
 * and replays whole pushes (OpenHIM auto-retry).
 */
describe('receiver -> HAPI FHIR JPA: the newest source version wins (racing creates, late commits, replays)', function () {
  this.timeout(600_000);
  // Long enough for HAPI's answers, short enough that a held transaction passes it.
  const DEADLINE = 1500;
  let hapi: Hapi;
  let toHapi: FaultProxy;
  let first: Receiver;
  let second: Receiver;
  let toFirst: FaultProxy;
  let run = 0;

  before(async () => {
    preloadR4Definitions();
    // The CHT-style Patient references its (never pushed) place.
    hapi = await startHapi({ referentialIntegrity: false });
    toHapi = await startFaultProxy({ target: hapi.url, faultRate: 0 });
    // Two receivers on one HAPI: neither's KeyLock sees the other's pushes.
    first = await startReceiver({ auth: CREDS, fhirBaseUrl: toHapi.url, deadlineMs: DEADLINE });
    second = await startReceiver({ auth: CREDS, fhirBaseUrl: toHapi.url, deadlineMs: DEADLINE });
    toFirst = await startFaultProxy({ target: first.url, faultRate: 0 });
  });
  after(async () => {
    await toFirst?.close();
    await second?.close();
    await first?.close();
    await toHapi?.close();
    await hapi?.stop();
  });

  const pushUrl = (r: Receiver | FaultProxy) => `${r.url.replace(/\/$/, '')}/cht-fhir/push`;
  const isTransaction = (body: string) => body.includes('"type":"transaction"');
  const transactionsSeen = () => toHapi.seen.filter((c) => isTransaction(c.body.toString())).length;

  async function stored(key: string): Promise<FhirResource> {
    const { status, json } = await fhirCall(hapi.url, 'GET', key);
    assert.equal(status, 200, key);
    assertValidR4(json);
    return json as FhirResource;
  }

  for (const kind of ['outbox', 'cht'] as const) {
    describe(`${kind} pushes`, () => {
      const version = (n: number) => versionedPushes[kind](`hapi-${run}`, n);
      beforeEach(() => {
        run++;
        toHapi.seen.splice(0);
        toFirst.seen.splice(0);
      });
      afterEach(async () => {
        toHapi.script([]);
        toFirst.script([]);
        await toHapi.release();
        await toFirst.release();
      });

      /** v_a reaches HAPI first, v_b second; both receivers read "absent" before either writes. */
      async function race(a: number, b: number): Promise<number[]> {
        const [va, vb] = [a, b].map(version);
        toHapi.script(['hold', 'hold'], isTransaction);
        const pa = push(pushUrl(first), va.body);
        await waitFor(() => transactionsSeen() >= 1);
        const pb = push(pushUrl(second), vb.body);
        await waitFor(() => transactionsSeen() >= 2);
        const statuses = await toHapi.release();
        const answers = await Promise.all([pa, pb]);
        // Answered 200, or 504 when HAPI was slower than the deadline (the check then runs on the late answer).
        for (const r of answers) assert.ok(r.status === 200 || r.status === 504, `${r.status} ${r.text}`);
        await Promise.all([first.lateChecksDone(), second.lateChecksDone()]);
        return statuses;
      }

      it('two creates racing, the newer committing first: the older one overwrites it (HAPI ignores If-None-Match), and the newer is put back', async () => {
        const v2 = version(2);
        assert.deepEqual(await race(2, 1), [200, 200], 'both transactions commit on HAPI');
        assert.equal(v2.name(await stored(v2.key)), 'V2');
        const history = await historyOf(hapi.url, v2.key);
        assert.deepEqual(
          history.map((r) => sourceVersionOf(r)?.version),
          [2, 1, 2],
          'newest first: V2 put back over V1 over V2',
        );
      });

      it('two creates racing, the older committing first: the newer one is written over it', async () => {
        const v2 = version(2);
        assert.deepEqual(await race(1, 2), [200, 200]);
        assert.equal(v2.name(await stored(v2.key)), 'V2');
        assert.deepEqual(
          (await historyOf(hapi.url, v2.key)).map((r) => sourceVersionOf(r)?.version),
          [2, 1],
        );
      });

      it('a create held past the deadline that commits after a newer version does not replace it', async () => {
        const [v1, v2] = [1, 2].map(version);
        toHapi.script(['hold'], isTransaction);
        assert.equal((await push(pushUrl(first), v1.body)).status, 504);
        assert.equal((await push(pushUrl(first), v2.body)).status, 200);
        // HAPI commits the held create over V2 (200, not a 412); the receiver, still waiting for that answer, puts V2 back.
        assert.deepEqual(await toHapi.release(), [200]);
        await first.lateChecksDone();
        assert.equal(v2.name(await stored(v2.key)), 'V2');
        assert.deepEqual(
          (await historyOf(hapi.url, v2.key)).map((r) => sourceVersionOf(r)?.version),
          [2, 1, 2],
        );
      });

      it('60 unscripted races of two revisions through two receivers: the newer stays every time', async () => {
        const lost: string[] = [];
        for (let i = 0; i < 60; i++) {
          run++;
          const [v1, v2] = [1, 2].map(version);
          const answers = await Promise.all([push(pushUrl(first), v1.body), push(pushUrl(second), v2.body)]);
          for (const r of answers) assert.ok(r.status === 200 || r.status === 504 || r.status === 503, `${r.status} ${r.text}`);
          // A 503 (HAPI rolled back a racing transaction) is retried by CHT: here, once.
          for (const [n, r] of answers.entries()) if (r.status === 503) assert.equal((await push(pushUrl(first), (n ? v2 : v1).body)).status, 200);
          await Promise.all([first.lateChecksDone(), second.lateChecksDone()]);
          if (v2.name(await stored(v2.key)) !== 'V2') lost.push(v2.key);
        }
        assert.deepEqual(lost, [], 'the older revision stayed stored');
      });

      it('an older push replayed or reordered after a newer one changes nothing', async () => {
        const [v1, v2, v3] = [1, 2, 3].map(version);
        toFirst.script(['hold']);
        const held = push(pushUrl(toFirst), v2.body).catch(() => undefined);
        await waitFor(() => toFirst.seen.length >= 1);
        assert.equal((await push(pushUrl(toFirst), v3.body)).status, 200);
        assert.deepEqual(await toFirst.release(), [200]);
        await held;
        assert.equal(await toFirst.replay(toFirst.seen[0]), 200);
        const older = await push(pushUrl(toFirst), v1.body);
        assert.equal(older.status, 200);
        assert.match(older.text, /0 written, 0 already up to date, 1 superseded/);
        assert.equal(v3.name(await stored(v3.key)), 'V3');
        assert.equal((await historyOf(hapi.url, v3.key)).length, 1, 'the older pushes wrote nothing');
      });
    });
  }
});

async function waitFor(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((ok) => setTimeout(ok, 5));
}
