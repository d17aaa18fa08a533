import { expect } from 'chai';
import type { Bundle, Patient } from 'fhir/r4';
import type { Outbox } from '../../src/runtime/outbox';
import {
  freshQueues,
  faultsSeen,
  servers,
  ids,
  nextEvent,
  observation,
  patient,
  recordingFetch,
  scriptFaults,
  storedIds,
  versionCounts,
} from './outbox-helpers';

/** Every test runs its own queue against the real receiver and FHIR server, tagging its resources. */
describe('outbox: delivery to the receiver', function () {
  let name: string;
  let tag: string;
  const openQueue = freshQueues((n, t) => ((name = n), (tag = t)));

  it('sends referenced resources first and removes records only once confirmed', async () => {
    const sent: Bundle[] = [];
    const outbox = await openQueue({ name, fetch: recordingFetch(sent) });
    const [p, o] = ids(2);
    await outbox.enqueue(observation(o, p, tag));
    await outbox.enqueue(patient(p, tag));
    expect(await outbox.pending()).to.equal(2);
    const delivered = nextEvent(outbox, 'delivered');
    const result = await outbox.flush();
    expect(result).to.include({ delivered: 2, remaining: 0 });
    expect((await delivered).keys.sort()).to.deep.equal([`Observation/${o}`, `Patient/${p}`].sort());
    expect(sent).to.have.length(1);
    expect(sent[0].entry!.map((e) => e.request!.url)).to.deep.equal([`Patient/${p}`, `Observation/${o}`]);
    expect(await storedIds('Patient', tag)).to.deep.equal([p]);
    expect(await storedIds('Observation', tag)).to.deep.equal([o]);
    expect(await outbox.pending()).to.equal(0);
  });

  it('squashes repeated enqueues of one resource into the latest version', async () => {
    const outbox = await openQueue({ name });
    const [p] = ids(1);
    await outbox.enqueue(patient(p, tag, 'First'));
    await outbox.enqueue(patient(p, tag, 'Second'));
    await outbox.enqueue(patient(p, tag, 'Third'));
    expect(await outbox.pending()).to.equal(1);
    await outbox.flush();
    expect(await versionCounts('Patient', [p])).to.deep.equal([1]);
    const stored = (await (await fetch(`${servers().fhirUrl}/Patient/${p}`)).json()) as Patient;
    expect(stored.name![0].family).to.equal('Third');
  });

  it('keeps a record replaced while its first version was in flight, and delivers the replacement', async () => {
    const [p, q] = ids(2);
    let outbox: Outbox | undefined;
    const sent: Bundle[] = [];
    // eslint-disable-next-line prefer-const -- the fetch callback reads it, so it is declared first
    outbox = await openQueue({ name, fetch: recordingFetch(sent, async (n) => void (n === 1 && (await outbox!.enqueue(patient(p, tag, 'Edited'))))) });
    await outbox.enqueue(patient(p, tag, 'Original'));
    await outbox.enqueue(patient(q, tag));
    const delivered = nextEvent(outbox, 'delivered');
    const result = await outbox.flush();
    expect((await delivered).replaced).to.deep.equal([`Patient/${p}`]);
    expect(result).to.include({ delivered: 2, remaining: 0 });
    expect(sent.map((b) => b.entry!.length)).to.deep.equal([2, 1]);
    expect((sent[1].entry![0].resource as Patient).name![0].family).to.equal('Edited');
    expect(await versionCounts('Patient', [p, q])).to.deep.equal([2, 1]);
  });

  it('resumes a flush that failed half way (5xx, dropped connections) and stores each record once', async () => {
    const patients = ids(160);
    const outbox = await openQueue({ name, batchSize: 40 });
    for (const id of patients) await outbox.enqueue(patient(id, tag));
    // Batch 2 is answered 503; then committed by the receiver but the answer is lost; then dropped before it arrives.
    await scriptFaults(['pass', '503', 'drop-after', 'drop-before']);
    const first = await outbox.flush();
    expect(first).to.include({ delivered: 40, remaining: 120 });
    expect(first.error).to.match(/503/);
    const second = await outbox.flush();
    expect(second).to.include({ delivered: 0, remaining: 120 });
    expect(second.error).to.match(/no answer/);
    expect((await outbox.flush()).remaining).to.equal(120);
    const last = await outbox.flush();
    expect(last).to.deep.equal({ delivered: 120, quarantined: 0, remaining: 0 });
    expect(await faultsSeen()).to.deep.equal({ pass: 4, '503': 1, 'drop-after': 1, 'drop-before': 1 });
    expect(await storedIds('Patient', tag)).to.deep.equal([...patients].sort());
    expect(new Set(await versionCounts('Patient', patients))).to.deep.equal(new Set([1]));
  });

  it('loses nothing when the page goes away mid-flush (database closed and reopened)', async () => {
    const patients = ids(30);
    let first: Outbox | undefined;
    // The receiver stores the batch, but the page is gone before the answer is processed.
    const fetchThenClose: typeof fetch = async (input, init) => {
      const res = await fetch(input, init);
      first!.close();
      return res;
    };
    first = await openQueue({ name, batchSize: 10, fetch: fetchThenClose });
    for (const id of patients) await first.enqueue(patient(id, tag));
    const interrupted = await first.flush();
    expect(interrupted.delivered).to.equal(0);

    // A second interruption while the request is still in flight.
    let second: Outbox | undefined;
    const closeInFlight: typeof fetch = (input, init) => {
      const p = fetch(input, init);
      second!.close();
      return p;
    };
    second = await openQueue({ name, batchSize: 10, fetch: closeInFlight });
    expect(await second.pending()).to.equal(30);
    await second.flush();

    const reopened = await openQueue({ name, batchSize: 10 });
    expect(await reopened.pending()).to.equal(30);
    expect(await reopened.flush()).to.include({ delivered: 30, remaining: 0 });
    expect(await storedIds('Patient', tag)).to.deep.equal([...patients].sort());
    expect(new Set(await versionCounts('Patient', patients))).to.deep.equal(new Set([1]));
  });

  it('quarantines a record the receiver refuses and delivers the rest of its batch', async () => {
    const [a, b, c] = ids(3);
    const outbox = await openQueue({ name });
    await outbox.enqueue(patient(a, tag));
    // Passes the light browser checks; the receiver's full R4 validation refuses the code.
    await outbox.enqueue({ ...patient(b, tag), gender: 'robot' } as unknown as Patient);
    await outbox.enqueue(patient(c, tag));
    const quarantined = nextEvent(outbox, 'quarantined');
    const result = await outbox.flush();
    expect(result).to.include({ delivered: 2, quarantined: 1, remaining: 0 });
    const q = await quarantined;
    expect(q.entries[0].key).to.equal(`Patient/${b}`);
    expect(q.entries[0].reason).to.match(/^receiver answered 400/);
    expect((await outbox.quarantine.list())[0].value).to.have.nested.property('resource.id', b);
    expect(await storedIds('Patient', tag)).to.deep.equal([a, c].sort());
  });

  it('the built module (dist/browser/cht-fhir-outbox.js) loads as an ES module and delivers', async () => {
    // eslint-disable-next-line @typescript-eslint/no-implied-eval -- a real dynamic import the bundler must not rewrite
    const load = new Function('u', 'return import(u)') as (u: string) => Promise<typeof import('../../src/runtime/outbox')>;
    const mod = await load(new URL('/base/dist/browser/cht-fhir-outbox.js', location.href).href);
    const outbox = await mod.openOutbox({
      name,
      endpoint: servers().pushUrl,
      canonicalBase: 'https://fhir.example.org',
      headers: { authorization: servers().authorization },
      autoFlush: false,
    });
    openQueue.track(outbox);
    const [p] = ids(1);
    await outbox.enqueue(patient(p, tag));
    expect(await outbox.flush()).to.include({ delivered: 1, remaining: 0 });
    expect(await storedIds('Patient', tag)).to.deep.equal([p]);
  });
});
