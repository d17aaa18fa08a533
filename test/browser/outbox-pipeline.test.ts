import { expect } from 'chai';
import sinon from 'sinon';
import type { Bundle, Patient } from 'fhir/r4';
import { OutboxValidationError, type Outbox } from '../../src/runtime/outbox';
import { freshQueues, ids, patient, scriptFaults, servers, storedIds, versionCounts } from './outbox-helpers';

/** Counts requests in flight at once and every key each sent Bundle carried. */
function watchingFetch(
  sent: string[][],
  peak: { now: number; max: number },
  before?: (n: number) => void | Promise<void>,
  after?: (n: number) => void,
): typeof fetch {
  return async (input, init) => {
    const n = sent.push((JSON.parse(init?.body as string) as Bundle).entry!.map((e) => e.request!.url));
    peak.max = Math.max(peak.max, ++peak.now);
    try {
      await before?.(n);
      const res = await fetch(input, init);
      after?.(n);
      return res;
    } finally {
      peak.now--;
    }
  };
}

describe('outbox: pipelined flush, group commit, enqueueMany', () => {
  let name: string;
  let tag: string;
  const openQueue = freshQueues((n, t) => ((name = n), (tag = t)));

  it('delivers each record once across a 5xx half way and a reload mid-flush, one request in flight', async () => {
    const patients = ids(100);
    const keys = patients.map((id) => `Patient/${id}`);
    const sent: string[][] = [];
    const peak = { now: 0, max: 0 };
    const first = await openQueue({ name, batchSize: 10, fetch: watchingFetch(sent, peak) });
    await first.enqueueMany(patients.map((id) => patient(id, tag)));
    await scriptFaults(['pass', 'pass', '503']);
    expect(await first.flush()).to.include({ delivered: 20, remaining: 80 });
    first.close();

    // The page reloads while the third batch of the next flush is answered: it is stored, not confirmed.
    let second: Outbox | undefined;
    // eslint-disable-next-line prefer-const -- the fetch callback reads it, so it is declared first
    second = await openQueue({ name, batchSize: 10, fetch: watchingFetch(sent, peak, undefined, (n) => n === 6 && second!.close()) });
    const interrupted = await second.flush();
    expect(interrupted.delivered).to.equal(20);
    expect(interrupted.error).to.match(/closed/);

    const third = await openQueue({ name, batchSize: 10, fetch: watchingFetch(sent, peak) });
    expect(await third.pending()).to.equal(60);
    expect(await third.flush()).to.deep.equal({ delivered: 60, quarantined: 0, remaining: 0 });

    expect(peak.max).to.equal(1);
    const times = new Map<string, number>();
    for (const url of sent.flat()) times.set(url, (times.get(url) ?? 0) + 1);
    // Sent twice: the batch answered 503 (keys 20-29) and the one whose answer the reload lost (keys 40-49).
    const twice = keys.filter((k) => times.get(k) === 2);
    expect(twice).to.deep.equal([...keys.slice(20, 30), ...keys.slice(40, 50)]);
    expect(keys.every((k) => (times.get(k) ?? 0) >= 1 && times.get(k)! <= 2)).to.equal(true);
    expect(await storedIds('Patient', tag)).to.deep.equal([...patients].sort());
    expect(new Set(await versionCounts('Patient', patients))).to.deep.equal(new Set([1]));
  });

  it('loses no squash made while batches are accepted, in flight or already read for sending', async () => {
    const patients = ids(30);
    const edited = [patients[0], patients[12], patients[25]];
    let outbox: Outbox | undefined;
    const sent: string[][] = [];
    const peak = { now: 0, max: 0 };
    // Batch 1 is accepted but not yet confirmed when batch 2 leaves: edit one record of each then.
    const editBeforeSecond = async (n: number) => {
      if (n === 2) await outbox!.enqueueMany(edited.slice(0, 2).map((id) => patient(id, tag, 'Edited')));
    };
    // Batch 3 was read while batch 2 travelled: edit one of its records as batch 2's answer arrives.
    let lateEdit: Promise<unknown> = Promise.resolve();
    const editAfterSecond = (n: number) => {
      if (n === 2) lateEdit = outbox!.enqueue(patient(edited[2], tag, 'Edited'));
    };
    outbox = await openQueue({ name, batchSize: 10, fetch: watchingFetch(sent, peak, editBeforeSecond, editAfterSecond) });
    for (const id of patients) await outbox.enqueue(patient(id, tag));
    const replaced: string[] = [];
    outbox.on('delivered', (d) => replaced.push(...d.replaced));
    const result = await outbox.flush();
    await lateEdit;
    expect(result).to.include({ remaining: 0, quarantined: 0 });
    expect(await outbox.pending()).to.equal(0);
    expect(peak.max).to.equal(1);
    expect(await storedIds('Patient', tag)).to.deep.equal([...patients].sort());
    for (const id of edited) {
      const stored = (await (await fetch(`${servers().fhirUrl}/Patient/${id}`)).json()) as Patient;
      expect(stored.name![0].family, id).to.equal('Edited');
    }
    // Each edited record went out first as read (original), then edited; every other record once.
    expect(await versionCounts('Patient', edited)).to.deep.equal([2, 2, 2]);
    const others = patients.filter((id) => !edited.includes(id));
    expect(new Set(await versionCounts('Patient', others))).to.deep.equal(new Set([1]));
    // Records edited in flight or after being read for sending: reported replaced, kept, their edits sent after.
    expect(replaced).to.include.members([`Patient/${patients[12]}`, `Patient/${patients[25]}`]);
  });

  it('group commit: concurrent enqueues share a transaction and each resolves only after it committed', async () => {
    const outbox = await openQueue({ name });
    const events: string[] = [];
    const txOf = new Map<string, number>();
    const txs: IDBTransaction[] = [];
    // eslint-disable-next-line @typescript-eslint/unbound-method -- called below with .apply(this)
    const realTransaction = IDBDatabase.prototype.transaction;
    const tx = sinon.stub(IDBDatabase.prototype, 'transaction').callsFake(function (this: IDBDatabase, ...args: Parameters<IDBDatabase['transaction']>) {
      const t = realTransaction.apply(this, args);
      if (args[1] === 'readwrite') {
        const n = txs.push(t) - 1;
        t.addEventListener('complete', () => events.push(`commit ${n}`));
      }
      return t;
    });
    // eslint-disable-next-line @typescript-eslint/unbound-method -- called below with .apply(this)
    const realPut = IDBObjectStore.prototype.put;
    const put = sinon.stub(IDBObjectStore.prototype, 'put').callsFake(function (this: IDBObjectStore, ...args: Parameters<IDBObjectStore['put']>) {
      const key = (args[0] as { key?: unknown })?.key;
      if (typeof key === 'string') txOf.set(key, txs.indexOf(this.transaction));
      return realPut.apply(this, args);
    });
    try {
      const patients = ids(20);
      await Promise.all(patients.map((id) => outbox.enqueue(patient(id, tag)).then(() => events.push(`resolved Patient/${id}`))));
      const writeTxs = new Set(patients.map((id) => txOf.get(`Patient/${id}`)));
      expect(writeTxs.size).to.be.within(1, 2); // the first call may start alone; the rest join one transaction
      for (const id of patients) {
        const n = txOf.get(`Patient/${id}`)!;
        expect(n, id).to.be.at.least(0);
        expect(events.indexOf(`commit ${n}`), id).to.be.within(0, events.indexOf(`resolved Patient/${id}`));
      }
    } finally {
      tx.restore();
      put.restore();
    }
    expect(await outbox.pending()).to.equal(20);
  });

  it('enqueueMany stores all or nothing and names the refused input', async () => {
    const outbox = await openQueue({ name });
    const [a, b] = ids(2);
    const err = await outbox.enqueueMany([patient(a, tag), { resourceType: 'Patient', id: 'bad id' }]).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).to.be.instanceOf(OutboxValidationError);
    expect((err as OutboxValidationError).issues.map((i) => i.path)).to.deep.equal(['[1].Patient.id']);
    expect(await outbox.pending()).to.equal(0);
    const bundle: Bundle = { resourceType: 'Bundle', type: 'transaction', entry: [{ resource: patient(b, tag) }] };
    expect(await outbox.enqueueMany([patient(a, tag), bundle, patient(a, tag, 'Again')])).to.deep.equal([`Patient/${a}`, `Patient/${b}`]);
    expect(await outbox.pending()).to.equal(2);
    expect(await outbox.flush()).to.include({ delivered: 2, remaining: 0 });
    expect(await versionCounts('Patient', [a])).to.deep.equal([1]);
  });
});
