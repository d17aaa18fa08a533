import { expect } from 'chai';
import type { Bundle, Patient } from 'fhir/r4';
import { checkResource, OutboxValidationError } from '../../src/runtime/outbox';
import { referencesFirst, referencedKeys } from '../../src/runtime/outbox/order';
import { backoffDelay } from '../../src/runtime/outbox/backoff';
import { transactionOf } from '../../src/core/bundle';
import { judgeAnswer, verdicts } from '../../src/runtime/outbox/transaction';
import { followUp } from '../../src/runtime/outbox/scheduler';
import { intake } from '../../src/runtime/outbox/intake';
import { OutboxAuthError } from '../../src/runtime/outbox';
import { deleteDb, open, patient, uniqueName } from './outbox-helpers';

describe('outbox: checks at enqueue', () => {
  it('accepts a sound resource and names each structural problem', () => {
    expect(checkResource(patient('p-1', 't'))).to.deep.equal([]);
    const paths = (v: unknown) => checkResource(v).map((i) => i.path);
    expect(paths({ id: 'x' })).to.include('resourceType');
    expect(paths({ resourceType: 'Patient' })).to.deep.equal(['Patient.id']);
    expect(paths({ resourceType: 'Patient', id: 'has space' })).to.deep.equal(['Patient.id']);
    expect(paths({ resourceType: 'Patient', id: 'x'.repeat(65) })).to.deep.equal(['Patient.id']);
    expect(paths({ resourceType: 'Observation', id: 'o', subject: { reference: 'Patient/' } })).to.deep.equal(['Observation.subject.reference']);
    expect(paths({ resourceType: 'Observation', id: 'o', subject: { reference: 'urn:uuid:nope' } })).to.deep.equal(['Observation.subject.reference']);
    expect(paths({ resourceType: 'Patient', id: 'p', birthDate: new Date() })).to.deep.equal(['Patient.birthDate']);
    expect(paths({ resourceType: 'Patient', id: 'p', x: () => 1 })).to.deep.equal(['Patient.x']);
    expect(paths({ resourceType: 'Patient', id: 'p', n: NaN })).to.deep.equal(['Patient.n']);
    const cyclic: Record<string, unknown> = { resourceType: 'Patient', id: 'p' };
    cyclic.self = cyclic;
    expect(paths(cyclic)).to.deep.equal(['Patient.self']);
    expect(checkResource({ resourceType: 'Patient', id: 'p', text: 'x'.repeat(2000) }, 1000)[0].message).to.match(/over the 1000 limit/);
  });

  it('accepts the reference forms FHIR allows', () => {
    for (const reference of [
      'Patient/abc',
      'Patient/abc/_history/2',
      'https://fhir.example.org/R4/Patient/abc',
      `urn:uuid:${crypto.randomUUID()}`,
      'urn:oid:1.2.3',
      '#contained-1',
    ]) {
      expect(checkResource({ resourceType: 'Observation', id: 'o', subject: { reference } }), reference).to.deep.equal([]);
    }
  });

  it('refuses invalid resources at enqueue with the validation error, storing nothing of that call', async () => {
    const name = uniqueName();
    const outbox = await open({
      name,
      validate: (r) => ((r as { gender?: string }).gender === 'robot' ? [{ path: 'Patient.gender', message: 'not in administrative-gender' }] : []),
    });
    try {
      const refused = async (input: unknown) => {
        const e = await outbox.enqueue(input as Patient).then(
          () => null,
          (err: unknown) => err,
        );
        expect(e).to.be.instanceOf(OutboxValidationError);
        return e as OutboxValidationError;
      };
      expect((await refused({ resourceType: 'Patient' })).issues[0].path).to.equal('Patient.id');
      expect((await refused({ ...patient('p-2', 't'), gender: 'robot' })).message).to.match(/Patient\.gender: not in administrative-gender/);
      const bundle: Bundle = {
        resourceType: 'Bundle',
        type: 'transaction',
        entry: [
          { resource: patient('ok-1', 't') },
          { resource: { resourceType: 'Patient', id: 'bad id' } },
          { request: { method: 'DELETE', url: 'Patient/x' } },
        ],
      };
      const issues = (await refused(bundle)).issues.map((i) => i.path);
      expect(issues).to.deep.equal(['Bundle.entry[1].resource.Patient.id', 'Bundle.entry[2].request.method']);
      expect(await outbox.pending()).to.equal(0);
      expect(await outbox.enqueue(patient('p-3', 't'))).to.deep.equal(['Patient/p-3']);
      expect(await outbox.pending()).to.equal(1);
    } finally {
      outbox.close();
      await deleteDb(name);
    }
  });
});

describe('outbox: pure parts', () => {
  const rec = (key: string, refs: string[] = []) => ({
    key,
    resource: { resourceType: key.split('/')[0], id: key.split('/')[1], ref: refs.map((reference) => ({ reference })) } as unknown as Patient,
  });

  it('puts referenced resources first and keeps input order otherwise', () => {
    const items = [
      rec('Observation/o1', ['Patient/p1', 'Encounter/e1']),
      rec('Encounter/e1', ['Patient/p1']),
      rec('Patient/p2'),
      rec('Patient/p1', ['Organization/elsewhere']),
    ];
    const order = referencesFirst(
      items,
      (r) => r.key,
      (r) => r.resource,
    ).map((r) => r.key);
    expect(order).to.deep.equal(['Patient/p2', 'Patient/p1', 'Encounter/e1', 'Observation/o1']);
  });

  it('still sends every member of a reference cycle', () => {
    const items = [rec('Patient/a', ['Patient/b']), rec('Patient/b', ['Patient/a']), rec('Patient/c', ['Patient/a'])];
    const order = referencesFirst(
      items,
      (r) => r.key,
      (r) => r.resource,
    ).map((r) => r.key);
    expect(order).to.deep.equal(['Patient/a', 'Patient/b', 'Patient/c']);
  });

  it('reads relative, absolute and versioned references', () => {
    const keys = referencedKeys(rec('Observation/o', ['Patient/p', 'https://x.org/fhir/Encounter/e/_history/3', '#c', 'urn:uuid:1']).resource);
    expect([...keys].sort()).to.deep.equal(['Encounter/e', 'Patient/p']);
  });

  it('builds a transaction of PUTs in the receiver contract', () => {
    const b = transactionOf([patient('p1', 't')]);
    expect(b.type).to.equal('transaction');
    expect(b.entry![0].fullUrl).to.equal('urn:uuid:p1');
    expect(b.entry![0].request).to.deep.equal({ method: 'PUT', url: 'Patient/p1' });
  });

  it('reads per-entry verdicts from a batch-style answer and confirms a plain 2xx', () => {
    expect(verdicts(2, undefined)).to.deep.equal(['confirmed', 'confirmed']);
    const body = {
      resourceType: 'Bundle',
      type: 'batch-response',
      entry: [{ response: { status: '201 Created' } }, { response: { status: '400' } }, { response: { status: '503' } }],
    };
    expect(verdicts(3, body)).to.deep.equal(['confirmed', 'rejected', 'retry']);
  });

  it('judges the answer to a batch: entries, credentials, retry, named refusals, split', () => {
    const outcome = (expression: string[]) => ({ resourceType: 'OperationOutcome', issue: [{ severity: 'error', expression, diagnostics: 'bad' }] });
    expect(judgeAnswer(200, undefined, 2)).to.deep.equal({ kind: 'entries', verdicts: ['confirmed', 'confirmed'] });
    expect(judgeAnswer(401, 'no', 2)).to.include({ kind: 'auth' });
    expect([503, 429, 408, 302].map((s) => judgeAnswer(s, undefined, 2).kind)).to.deep.equal(['retry', 'retry', 'retry', 'retry']);
    const named = judgeAnswer(400, outcome(['Bundle.entry[1].resource.gender']), 3);
    expect(named.kind === 'refused' && [...named.named]).to.deep.equal([[1, 'receiver answered 400: bad']]);
    // Naming none: a lone record is refused as a whole, a batch is split to find the culprits.
    expect(judgeAnswer(400, outcome(['Bundle']), 1)).to.include({ kind: 'refused', reason: 'receiver answered 400: bad' });
    expect(judgeAnswer(400, outcome(['Bundle.entry[5]']), 3)).to.deep.equal({ kind: 'split' });
    // The reason says what the receiver answered: a 422 is not a 400.
    const unprocessable = judgeAnswer(422, outcome(['Bundle.entry[0].resource']), 2);
    expect(unprocessable.kind === 'refused' && [...unprocessable.named]).to.deep.equal([[0, 'receiver answered 422: bad']]);
  });

  it('decides what follows a flush: retry after a failure worth it, run again if asked while running', () => {
    const failed = { failedOver: true };
    const fine = { failedOver: false };
    expect(followUp('503', failed, undefined, true, true)).to.equal('retry');
    expect(followUp('401', fine, new OutboxAuthError(401, 'no'), false, true)).to.equal('retry');
    expect(followUp('disk', fine, new Error('disk'), true, true)).to.equal('run');
    expect(followUp(undefined, fine, undefined, true, false)).to.equal('none');
    expect(followUp(undefined, fine, undefined, false, true)).to.equal('none');
  });

  it('takes in enqueue inputs: issues named by input, then by the validator, resources only when sound', () => {
    const validate = (r: { id?: string }) => (r.id === 'bad' ? [{ path: 'Patient.name', message: 'no name' }] : []);
    const sound = intake([patient('a', 't'), { resourceType: 'Bundle', type: 'transaction', entry: [{ resource: patient('b', 't') }] }], '[i].', { validate });
    expect(sound.resources.map((r) => r.id)).to.deep.equal(['a', 'b']);
    expect(sound.json.map((j) => (JSON.parse(j) as Patient).id)).to.deep.equal(['a', 'b']);
    expect(sound.issues).to.deep.equal([]);
    const bad = intake([patient('a', 't'), patient('bad', 't'), { resourceType: 'Patient' }], '[i].', { validate });
    expect(bad.issues.map((i) => i.path)).to.deep.equal(['[1].Patient.name', '[2].Patient.id']);
  });

  it('backs off exponentially with bounded jitter up to the ceiling', () => {
    const at = (attempt: number, r: number) => backoffDelay(attempt, { baseMs: 1000, maxMs: 60000, random: () => r });
    expect([0, 1, 2, 3].map((a) => at(a, 0))).to.deep.equal([500, 1000, 2000, 4000]);
    expect([0, 1, 2, 3].map((a) => at(a, 0.999999))).to.deep.equal([1000, 2000, 4000, 8000]);
    expect(at(20, 0.5)).to.equal(45000);
  });
});
