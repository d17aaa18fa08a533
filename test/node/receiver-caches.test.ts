import { strict as assert } from 'node:assert';
import { preloadR4Definitions } from '../../src/fhir-validation';
import { ValidBodies } from '../../src/receiver/verdict-cache';
import { patientDoc, reportDoc } from '../stand-ins/push-bundles';
import { rawRequest } from '../stand-ins/raw-http';
import { AUTH, push, startStack, storedResources, versionCount, withoutMeta, type Stack } from './receiver-helpers';

describe('receiver: the valid-body cache only skips re-validating identical bytes', function () {
  this.timeout(60000);
  before(() => preloadR4Definitions());

  it('is bounded, dropping the least recently used digest', () => {
    const cache = new ValidBodies(3);
    const keys = ['a', 'b', 'c', 'd'].map((s) => ValidBodies.key(Buffer.from(s)));
    cache.add(keys[0]);
    cache.add(keys[1]);
    cache.add(keys[2]);
    assert.ok(cache.has(keys[0])); // now most recently used
    cache.add(keys[3]);
    assert.equal(cache.size, 3);
    assert.deepEqual(keys.map((k) => cache.has(k)), [true, false, true, true]);
    for (let i = 0; i < 1000; i++) cache.add(String(i));
    assert.equal(cache.size, 3);
  });

  describe('over HTTP', () => {
    let stack: Stack;
    beforeEach(async () => (stack = await startStack({ validCacheSize: 100 })));
    afterEach(() => stack.close());

    const send = (text: string) => rawRequest(stack.pushUrl, { method: 'POST', headers: { authorization: AUTH, 'content-type': 'application/json' }, body: text });

    it('an invalid body is refused every time it is sent; a one-byte change to a cached valid body is validated again', async () => {
      const good = JSON.stringify(patientDoc(1).body);
      const bad = good.replace(/"gender":"(fe)?male"/, '"gender":"boy"');
      assert.notEqual(bad, good);
      for (let i = 0; i < 3; i++) {
        const res = await send(bad);
        assert.equal(res.status, 400);
        assert.match(res.json().issue[0].details.text, /"boy" is not in the required value set/);
      }
      assert.equal((await storedResources(stack.fhir.repo)).size, 0);
      assert.equal((await send(good)).status, 200);
      assert.equal((await send(good)).status, 200);
      // Still refused after the valid body it was made from is cached.
      assert.equal((await send(bad)).status, 400);
      const badDate = good.replace(/"birthDate":"(\d{4})-/, '"birthDate":"$1/');
      assert.equal((await send(badDate)).status, 400);
    });

    it('a repeat still reads the FHIR server: a resource changed there since is written again', async () => {
      const doc = reportDoc(2);
      assert.equal((await push(stack.pushUrl, doc.body)).status, 200);
      const [type, id] = doc.keys[0].split('/');
      const stored = (await stack.fhir.repo.readResource(type, id)) as unknown as Record<string, unknown>;
      await stack.fhir.repo.updateResource({ ...stored, status: 'cancelled' } as never);
      assert.equal(await versionCount(stack.fhir.repo, doc.keys[0]), 2);
      const res = await push(stack.pushUrl, doc.body);
      assert.match(res.json().issue[0].details.text, /1 written, 2 already up to date/);
      const now = (await stack.fhir.repo.readResource(type, id)) as unknown as Record<string, unknown>;
      assert.equal(now.status, 'finished');
      assert.deepEqual(withoutMeta(now), withoutMeta(stored));
      assert.equal(await versionCount(stack.fhir.repo, doc.keys[0]), 3);
    });
  });
});
