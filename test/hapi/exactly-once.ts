import { strict as assert } from 'node:assert';
import { assertValidR4 } from '../../src/fhir-validation';
import { expectedResources, withoutMeta } from '../../harness/receiver-stack';
import type { PushDoc } from '../../harness/stand-ins/push-bundles';
import { countOf, readKeys } from './fhir-http';

/** Every resource of `docs` stored once, as pushed, at version 1, valid R4; and no other resource of those types (beyond `baseline`). */
export async function assertExactlyOnce(base: string, docs: PushDoc[], baseline: Record<string, number> = {}): Promise<void> {
  const expected = expectedResources(docs);
  const stored = await readKeys(base, [...expected.keys()]);
  assert.equal(stored.size, expected.size, 'every pushed resource is stored');
  for (const [key, r] of stored) {
    assert.deepEqual(withoutMeta(r), expected.get(key), key);
    assert.equal(r.meta?.versionId, '1', `${key} has one version`);
    assertValidR4(withoutMeta(r));
  }
  const perType = new Map<string, number>();
  for (const key of expected.keys()) perType.set(key.split('/')[0], (perType.get(key.split('/')[0]) ?? 0) + 1);
  for (const [type, n] of perType) assert.equal(await countOf(base, type), n + (baseline[type] ?? 0), `${type}: nothing duplicated`);
}
