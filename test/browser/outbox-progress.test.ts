import { expect } from 'chai';
import type { Bundle, Patient } from 'fhir/r4';
import { OutboxAuthError } from '../../src/runtime/outbox';
import { sourceVersionOf } from '../../src/core/source-version';
import {
  faultsSeen,
  freshQueues,
  ids,
  nextEvent,
  patient,
  randomFaults,
  recordingFetch,
  releaseHeld,
  scriptFaults,
  servers,
  storedIds,
} from './outbox-helpers';

/** Resources the receiver's full R4 validation refuses (the light browser checks let them through). */
const robot = (id: string, tag: string) => ({ ...patient(id, tag), gender: 'robot' }) as unknown as Patient;

async function stored(id: string): Promise<Patient> {
  return (await (await fetch(`${servers().fhirUrl}/Patient/${id}`)).json()) as Patient;
}

/** Every request this fetch makes, by the `Type/id`s it carries; `inFlight` peaks across every fetch sharing `track`. */
function trackingFetch(track: { inFlight: number; peak: number; sent: string[] }): typeof fetch {
  return async (input, init) => {
    track.inFlight++;
    track.peak = Math.max(track.peak, track.inFlight);
    track.sent.push(...(JSON.parse(init?.body as string) as Bundle).entry!.map((e) => e.request!.url));
    try {
      // Long enough for the other tab to try its luck while this request is out.
      await new Promise((ok) => setTimeout(ok, 30));
      return await fetch(input, init);
    } finally {
      track.inFlight--;
    }
  };
}

describe('outbox: newest version wins, progress under faults (issue 16)', function () {
  this.timeout(60000);
  let name: string;
  let tag: string;
  const openQueue = freshQueues((n, t) => ((name = n), (tag = t)));

  it('a push held past the timeout that lands after the newer version leaves the newer one', async () => {
    const sent: Bundle[] = [];
    const outbox = await openQueue({ name, timeoutMs: 300, fetch: recordingFetch(sent) });
    const [p] = ids(1);
    await outbox.enqueue(patient(p, tag, 'Old'));
    await scriptFaults(['hold']);
    expect((await outbox.flush()).error).to.match(/no answer/);
    await outbox.enqueue(patient(p, tag, 'New'));
    expect(await outbox.flush()).to.include({ delivered: 1, remaining: 0 });
    expect(await releaseHeld()).to.deep.equal([200]);
    expect((await stored(p)).name![0].family).to.equal('New');
    const [old, now] = sent.map((b) => sourceVersionOf(b.entry![0].resource)!);
    expect(old.source).to.equal(`urn:uuid:${outbox.id}`);
    expect(now.source).to.equal(old.source);
    expect(now.version).to.be.greaterThan(old.version);
  });

  it('quarantines exactly the entries the receiver names and sends the rest at once', async () => {
    const sent: Bundle[] = [];
    const outbox = await openQueue({ name, fetch: recordingFetch(sent) });
    const all = ids(10);
    const bad = new Set([all[1], all[4], all[8]]);
    await outbox.enqueueMany(all.map((id) => (bad.has(id) ? robot(id, tag) : patient(id, tag))));
    expect(await outbox.flush()).to.include({ delivered: 7, quarantined: 3, remaining: 0 });
    expect(sent.map((b) => b.entry!.length)).to.deep.equal([10, 7]);
    const q = await outbox.quarantine.list();
    expect(q.map((e) => e.key).sort()).to.deep.equal([...bad].map((id) => `Patient/${id}`).sort());
    for (const e of q) expect(e.reason).to.match(/^receiver answered 400: .*robot/);
    expect(await storedIds('Patient', tag)).to.deep.equal(all.filter((id) => !bad.has(id)).sort());
  });

  it('starts the backoff again after every answered request', async () => {
    const outbox = await openQueue({ name, autoFlush: true, batchSize: 1, backoff: { baseMs: 5, maxMs: 50 } });
    await nextEvent(outbox, 'idle'); // the flush on open found nothing
    const attempts: number[] = [];
    outbox.on('retry', (d) => attempts.push(d.attempt));
    await scriptFaults(['503', 'pass', '503', 'pass', '503', 'pass', '503', 'pass']);
    const idle = nextEvent(outbox, 'idle');
    const records = ids(4);
    await outbox.enqueueMany(records.map((id) => patient(id, tag)));
    await idle;
    expect(attempts).to.deep.equal([1, 1, 1, 1]);
    expect(await storedIds('Patient', tag)).to.deep.equal([...records].sort());
  });

  it('an auto-flushing outbox resumes on open what an earlier page left queued', async () => {
    const first = await openQueue({ name });
    const records = ids(3);
    await first.enqueueMany(records.map((id) => patient(id, tag)));
    first.close();
    const reopened = await openQueue({ name, autoFlush: true });
    await nextEvent(reopened, 'idle');
    expect(await reopened.pending()).to.equal(0);
    expect(await storedIds('Patient', tag)).to.deep.equal([...records].sort());
  });

  it('stores each resource as it was when enqueue() was called, whether its write starts at once or waits', async () => {
    const outbox = await openQueue({ name });
    const [first, waiting] = [patient(ids(1)[0], tag, 'AsCalled'), patient(ids(1)[0], tag, 'AsCalled')];
    const calls = [outbox.enqueue(first), outbox.enqueue(waiting)];
    first.name![0].family = 'EditedAfter';
    waiting.name![0].family = 'EditedAfter';
    await Promise.all(calls);
    await outbox.flush();
    expect((await stored(first.id!)).name![0].family).to.equal('AsCalled');
    expect((await stored(waiting.id!)).name![0].family).to.equal('AsCalled');
  });

  it('quarantine: retry re-sends (unless a newer version is queued), discard deletes', async () => {
    const outbox = await openQueue({ name });
    const [a, b] = ids(2);
    await outbox.enqueueMany([robot(a, tag), robot(b, tag)]);
    expect(await outbox.flush()).to.include({ quarantined: 2 });
    await outbox.enqueue(patient(b, tag, 'Fixed'));
    const [qa, qb] = (await outbox.quarantine.list())
      .sort((x, y) => String(x.key as string).localeCompare(String(y.key as string)) * (a < b ? 1 : -1))
      .map((e) => e.qid!);
    expect(await outbox.quarantine.retry([qa, qb, 999999])).to.deep.equal({ [qa]: 'queued', [qb]: 'superseded', 999999: 'unknown' });
    expect(await outbox.pending()).to.equal(2);
    expect(await outbox.flush()).to.include({ delivered: 1, quarantined: 1, remaining: 0 });
    expect((await stored(b)).name![0].family).to.equal('Fixed');
    const again = await outbox.quarantine.list();
    expect(again.map((e) => e.key)).to.deep.equal([`Patient/${a}`]);
    expect(await outbox.quarantine.discard([again[0].qid!])).to.deep.equal({ [again[0].qid!]: 'discarded' });
    expect(await outbox.quarantine.list()).to.deep.equal([]);
  });

  it('flush() rejects when the receiver refuses the credentials, and keeps the records', async () => {
    const outbox = await openQueue({ name, headers: { authorization: 'Basic ' + btoa('nobody:wrong') } });
    await outbox.enqueue(patient(ids(1)[0], tag));
    const err = await outbox.flush().then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).to.be.instanceOf(OutboxAuthError);
    expect(err).to.have.property('status', 401);
    expect(await outbox.pending()).to.equal(1);
  });

  it('an auto-flushing outbox retries refused credentials on its own, leaving no rejection unhandled', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (e: PromiseRejectionEvent) => {
      unhandled.push(e.reason);
      e.preventDefault();
    };
    window.addEventListener('unhandledrejection', onUnhandled);
    try {
      const outbox = await openQueue({
        name,
        autoFlush: true,
        headers: { authorization: 'Basic ' + btoa('nobody:wrong') },
        backoff: { baseMs: 10, maxMs: 20 },
      });
      const retries: number[] = [];
      const third = new Promise<void>((resolve) => outbox.on('retry', (d) => (retries.push(d.attempt), d.attempt === 3 && resolve())));
      await outbox.enqueue(patient(ids(1)[0], tag));
      await third;
      outbox.close();
      // Rejections are reported after the task that left them unhandled.
      await new Promise((ok) => setTimeout(ok, 20));
      expect(retries.slice(0, 3)).to.deep.equal([1, 2, 3]);
      expect(unhandled).to.deep.equal([]);
    } finally {
      window.removeEventListener('unhandledrejection', onUnhandled);
    }
  });

  it('without navigator.locks, two tabs never send at the same time and each record goes once', async () => {
    const track = { inFlight: 0, peak: 0, sent: [] as string[] };
    Object.defineProperty(navigator, 'locks', { value: undefined, configurable: true });
    try {
      expect(navigator.locks).to.equal(undefined);
      // Two connections to one queue, as two tabs have.
      const tabA = await openQueue({ name, batchSize: 5, fetch: trackingFetch(track) });
      const tabB = await openQueue({ name, batchSize: 5, fetch: trackingFetch(track) });
      const records = ids(30);
      await tabA.enqueueMany(records.map((id) => patient(id, tag)));
      const [ra, rb] = await Promise.all([tabA.flush(), tabB.flush()]);
      expect(ra.delivered + rb.delivered).to.equal(30);
      expect(track.peak).to.equal(1);
      expect([...track.sent].sort()).to.deep.equal(records.map((id) => `Patient/${id}`).sort());
    } finally {
      delete (navigator as unknown as { locks?: unknown }).locks;
    }
    expect(navigator.locks).to.not.equal(undefined);
  });

  it('an offline week, then 30% faults: 10 refused records do not hold back the rest', async () => {
    const outbox = await openQueue({ name, autoFlush: false, backoff: { baseMs: 20, maxMs: 200 } });
    // Offline: 1,000 patients in 200 calls (some edited again), 10 the receiver will refuse among them.
    const valid = ids(1000);
    const refused = ids(10);
    for (let i = 0; i < 200; i++) {
      const chunk = valid.slice(i * 5, i * 5 + 5).map((id) => patient(id, tag));
      if (i % 20 === 0) chunk.push(robot(refused[i / 20], tag));
      await outbox.enqueueMany(chunk);
      if (i % 4 === 0) await outbox.enqueue(patient(valid[i], tag, 'Edited'));
    }
    // Back online through a network failing 30% of 60 pushes (the minimum is 30: 20 batches, 10 of them refused in part).
    const WINDOW = 60;
    await randomFaults({ rate: 0.3, count: WINDOW, seed: 16 });
    outbox.close();
    const online = await openQueue({ name, autoFlush: true, backoff: { baseMs: 20, maxMs: 200 } });
    const onlineIdle = nextEvent(online, 'idle');
    online.flush().catch(() => undefined); // as the `online` event would (resuming on open is tested above)
    let seen = 0;
    while (seen < WINDOW) {
      const s = await faultsSeen();
      seen = Object.values(s).reduce((n, x) => n + x, 0);
      if ((await online.pending()) === 0) break;
      await new Promise((ok) => setTimeout(ok, 50));
    }
    const duringFaults = (await storedIds('Patient', tag)).length;
    console.log(`offline week: ${duringFaults} of ${valid.length} valid records delivered during ${seen} pushes with 30% faults`);
    expect(duringFaults / valid.length, `${duringFaults} of ${valid.length} delivered during ${seen} faulty pushes`).to.be.at.least(0.9);
    await onlineIdle;
    expect(await storedIds('Patient', tag)).to.deep.equal([...valid].sort());
    expect((await online.quarantine.list()).map((e) => e.key).sort()).to.deep.equal(refused.map((id) => `Patient/${id}`).sort());
  });
});
