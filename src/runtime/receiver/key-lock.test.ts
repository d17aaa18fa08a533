import { strict as assert } from 'node:assert';
import { KeyLock } from './key-lock';

describe('receiver/key-lock: one push of a resource at a time', () => {
  const tick = () => new Promise((ok) => setTimeout(ok, 1));

  it('runs work on the same key one after the other, work on other keys alongside, and frees keys after errors', async () => {
    const lock = new KeyLock();
    const log: string[] = [];
    const job = (name: string, keys: string[]) =>
      lock.run(keys, async () => {
        log.push(`${name} start`);
        await tick();
        log.push(`${name} end`);
        return name;
      });
    const done = await Promise.all([job('a', ['Patient/1']), job('b', ['Patient/1', 'Encounter/2']), job('c', ['Encounter/9'])]);
    assert.deepEqual(done, ['a', 'b', 'c']);
    assert.ok(log.indexOf('b start') > log.indexOf('a end'), 'b waits for a');
    assert.ok(log.indexOf('c start') < log.indexOf('a end'), 'c does not wait');
    await assert.rejects(
      lock.run(['Patient/1'], () => Promise.reject(new Error('boom'))),
      /boom/,
    );
    assert.equal(await lock.run(['Patient/1'], () => Promise.resolve('free')), 'free');
  });

  it('overlapping key sets taken in any order do not deadlock (keys are taken sorted)', async () => {
    const lock = new KeyLock();
    const results = await Promise.all([lock.run(['A', 'B'], async () => (await tick(), 1)), lock.run(['B', 'A'], async () => (await tick(), 2))]);
    assert.deepEqual(results, [1, 2]);
  });
});
