import { strict as assert } from 'node:assert';
import type { ReportContext } from './rules';
import { fulfilmentTask, requestRef } from './task';

describe('core/task: the request a report fulfils, read through the shape', () => {
  const ctx = (fields: Record<string, unknown>): ReportContext => ({
    d: { identifierBase: 'https://fhir.example.org/sid', namespace: '8c0d2a5e-3b7f-4e2a-9d61-5f4b2c7e1a90' },
    form: 'follow_up',
    docId: 'doc-1',
    key: 'doc-1',
    fields,
    shape: { grp: { request: 's', outcome: 's' } },
    concept: () => ({ text: 'x' }),
  });

  it('a field inside a group, named by its shortest suffix as the build writes it, still finds the request and its status', () => {
    const c = ctx({ grp: { request: 'ServiceRequest/abc', outcome: 'done' } });
    const rule = { field: 'request', statusField: 'outcome', statuses: { done: 'completed' as const } };
    const request = requestRef(c, rule);
    assert.deepEqual(request, { reference: 'ServiceRequest/abc' });
    const task = fulfilmentTask(c, rule, request, { reference: 'Encounter/e' });
    assert.equal(task.status, 'completed');
    assert.equal(task.businessStatus?.text, 'done');
    assert.equal(task.id, fulfilmentTask(c, { ...rule, field: 'grp.request' }, request, { reference: 'Encounter/e' }).id, 'the id follows the full path');
  });

  it('an empty field fulfils nothing; a value that is no request reference fails naming the field', () => {
    assert.equal(requestRef(ctx({ grp: { request: '' } }), { field: 'request' }), undefined);
    assert.throws(() => requestRef(ctx({ grp: { request: 'sr-1' } }), { field: 'request' }), /field 'request' is not a request reference/);
  });
});
