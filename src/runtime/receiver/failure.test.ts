import { strict as assert } from 'node:assert';
import { answerOf, fail, HttpError, Refused, Unavailable } from './failure';

describe('receiver/failure: who must act, as an HTTP answer', () => {
  it('Refused: the sender must change it, 422, or 409 for a conflict with what CHT holds', () => {
    const r = new Refused('required', 'no name', ['Patient.name']);
    assert.equal(r.status, 422);
    assert.deepEqual(r.body.issue, [{ severity: 'error', code: 'required', details: { text: 'no name' }, expression: ['Patient.name'] }]);
    assert.equal(new Refused('conflict', 'moved', undefined, true).status, 409);
    assert.ok(r instanceof HttpError);
  });

  it('Unavailable: retry later, 504 on a timeout, 503 with Retry-After when known, else 502', () => {
    const timeout = new Unavailable('timeout', 'no answer in 8 s');
    assert.deepEqual([timeout.status, timeout.body.issue[0].code, timeout.headers], [504, 'timeout', {}]);
    const paused = new Unavailable('network', 'login limit', 10);
    assert.deepEqual([paused.status, paused.body.issue[0].code, paused.headers], [503, 'transient', { 'retry-after': '10' }]);
    assert.equal(new Unavailable('network', 'reset').status, 502);
  });

  it('answerOf: ours as they are, anything else a 500 that names no internals', () => {
    const e = fail(413, 'too-costly', 'too big');
    assert.equal(answerOf(e), e);
    const internal = answerOf(new TypeError('x is undefined'));
    assert.equal(internal.status, 500);
    assert.equal(internal.body.issue[0].details?.text, 'Internal error');
    assert.equal(answerOf('a string').status, 500);
  });
});
