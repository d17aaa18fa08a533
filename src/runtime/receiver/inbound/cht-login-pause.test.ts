import { strict as assert } from 'node:assert';
import { LoginPause } from './cht-login-pause';

describe('receiver/inbound/cht-login-pause: when CHT is not called', () => {
  const clock = () => {
    const c = { t: 1_000_000, now: () => c.t };
    return c;
  };

  it('a 429 pauses for its Retry-After (capped at 5 min), else 10 s; the pause counts down in whole seconds', () => {
    const c = clock();
    const p = new LoginPause(c.now);
    assert.equal(p.current(), undefined);
    const why = 'CHT answered 429 (too many failed logins from this IP) to GET /medic/x';
    assert.deepEqual(p.afterAnswer(429, '7', 'GET /medic/x'), { seconds: 7, why });
    assert.deepEqual(p.current(), { seconds: 7, why });
    c.t += 6_500;
    assert.deepEqual(p.current(), { seconds: 1, why });
    c.t += 500;
    assert.equal(p.current(), undefined);
    assert.equal(p.afterAnswer(429, '9999', 'GET /')?.seconds, 300);
    assert.equal(new LoginPause(c.now).afterAnswer(429, 'soon', 'GET /')?.seconds, 10);
    assert.equal(new LoginPause(c.now).afterAnswer(429, undefined, 'GET /')?.seconds, 10);
  });

  it('refused logins back off 10, 20, 40... s up to 5 min; any other answer resets the count', () => {
    const c = clock();
    const p = new LoginPause(c.now);
    const seconds = [401, 403, 401, 401, 401, 401, 401].map((s) => p.afterAnswer(s, undefined, 'GET /')?.seconds);
    assert.deepEqual(seconds, [10, 20, 40, 80, 160, 300, 300]);
    assert.equal(p.current()?.why, "CHT refused the receiver's credentials (401): check CHT_URL");
    assert.equal(p.afterAnswer(500, undefined, 'GET /'), undefined);
    assert.equal(p.afterAnswer(401, undefined, 'GET /')?.seconds, 10);
  });

  it('a shorter pause does not cut a longer one short, but gives the latest reason', () => {
    const c = clock();
    const p = new LoginPause(c.now);
    p.afterAnswer(429, '60', 'GET /a');
    p.afterAnswer(401, undefined, 'GET /b');
    assert.deepEqual(p.current(), { seconds: 60, why: "CHT refused the receiver's credentials (401): check CHT_URL" });
  });
});
