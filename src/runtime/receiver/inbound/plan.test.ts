import { strict as assert } from 'node:assert';
import type { ServiceRequest, Task } from 'fhir/r4';
import { compileMapping } from '../../../core/inbound-model';
import { systems } from '../../../core/identity';
import { HttpError } from '../failure';
import { contentVersion, idFromIdentifier, plan } from './plan';

describe('receiver/inbound/plan: what a clinic resource asks of CHT, decided without I/O', () => {
  const d = { identifierBase: 'https://fhir.example.org/sid', namespace: '8c0d2a5e-3b7f-4e2a-9d61-5f4b2c7e1a90' };
  const referral = compileMapping({
    name: 'referral',
    resource: 'ServiceRequest',
    where: "category.coding.where(code = 'referral').exists()",
    write: 'report',
    form: 'REFERRAL',
    patient: 'subject.reference',
    fields: { reason: { path: 'reasonCode.text', required: true }, note: { path: 'note.text' } },
  });
  const sr = (extra: Partial<ServiceRequest> = {}): ServiceRequest => ({
    resourceType: 'ServiceRequest',
    id: 'sr-1',
    status: 'active',
    intent: 'order',
    category: [{ coding: [{ code: 'referral' }] }],
    subject: { reference: 'Patient/p-1' },
    reasonCode: [{ text: 'fever' }],
    authoredOn: '2026-03-01',
    identifier: [{ system: 'urn:clinic', value: 'R-9' }],
    ...extra,
  });

  it('a resource a mapping takes: its values, source, status, clinical time, own identifiers and patient reference', () => {
    const p = plan([referral], sr(), d);
    assert.equal(p.kind, 'write');
    if (p.kind !== 'write') return;
    assert.deepEqual(p.values, { reason: 'fever' });
    assert.equal(p.source, 'ServiceRequest/sr-1');
    assert.equal(p.status, 'active');
    assert.equal(p.clinicalTime, Date.parse('2026-03-01'));
    assert.deepEqual(p.identifiers, [{ system: 'urn:clinic', value: 'R-9' }]);
    assert.equal(p.patientRef, 'Patient/p-1');
    assert.equal(p.version, contentVersion(sr()), 'no versionId: the content is the version');
  });

  it('ignored: one that came from CHT, one that no mapping where-clause takes; refused: a type nothing maps, a required value missing', () => {
    const fromCht = sr({ identifier: [{ system: systems(d).chtId, value: 'some-cht-doc' }] });
    assert.equal(plan([referral], fromCht, d).kind, 'ignore');
    assert.equal(plan([referral], sr({ category: [{ coding: [{ code: 'lab' }] }] }), d).kind, 'ignore');
    const refusal = (f: () => unknown) => assert.throws(f, (e: unknown) => e instanceof HttpError && e.status === 422);
    const task: Task = { resourceType: 'Task', id: 't', status: 'requested', intent: 'order' };
    refusal(() => plan([referral], task, d));
    refusal(() => plan([referral], sr({ reasonCode: undefined }), d));
    refusal(() => plan([referral], sr({ subject: undefined as unknown as ServiceRequest['subject'] }), d));
  });

  it('versions: the versionId of the sender wins; key order and meta do not change a content version', () => {
    assert.equal(contentVersion(sr({ meta: { versionId: '3' } })), 'v3');
    const reordered = Object.fromEntries(Object.entries(sr()).reverse()) as unknown as ServiceRequest;
    assert.equal(contentVersion({ ...reordered, meta: { lastUpdated: '2026-01-01T00:00:00Z' } }), contentVersion(sr()));
  });

  it('idFromIdentifier: the same business identifier gives the same id; none gives none', () => {
    const a = idFromIdentifier(d, 'ServiceRequest', [{ system: 'urn:clinic', value: 'R-9' }]);
    assert.equal(a, idFromIdentifier(d, 'ServiceRequest', [{ system: 'urn:clinic', value: 'R-9' }]));
    assert.notEqual(a, idFromIdentifier(d, 'ServiceRequest', [{ system: 'urn:clinic', value: 'R-10' }]));
    assert.equal(idFromIdentifier(d, 'ServiceRequest', []), undefined);
  });
});
