import { strict as assert } from 'node:assert';
import type { Bundle, Patient } from 'fhir/r4';
import { compareSourceVersions, revSequence, sourceVersionOf, sourceVersionUrl, withoutSourceVersion, withSourceVersion } from './source-version';

const SOURCE_VERSION_URL = sourceVersionUrl('https://fhir.example.org/');

describe('core/source-version: a version that only grows, per source', () => {
  const doc = 'https://fhir.example.org/sid/cht-uuid/p1';
  const v = (n: number): Patient =>
    withSourceVersion<Patient>(
      { resourceType: 'Patient', id: 'p1', extension: [{ url: 'x', valueString: 'kept' }] },
      { source: doc, version: n },
      SOURCE_VERSION_URL,
    );

  it('rides in one extension, other extensions kept; meta.source names the source only', () => {
    const p = withSourceVersion(v(2), { source: doc, version: 3 }, SOURCE_VERSION_URL);
    assert.deepEqual(p.extension, [
      { url: 'x', valueString: 'kept' },
      { url: SOURCE_VERSION_URL, valueString: `${doc}#3` },
    ]);
    assert.equal(p.meta?.source, doc);
    assert.deepEqual(sourceVersionOf(p), { source: doc, version: 3 });
    assert.deepEqual(withoutSourceVersion(p as unknown as Record<string, unknown>).extension, [{ url: 'x', valueString: 'kept' }]);
  });

  it("lives under the deployment's canonical base, and is read under any base (the receiver serves any deployment)", () => {
    assert.equal(SOURCE_VERSION_URL, 'https://fhir.example.org/StructureDefinition/source-version');
    const other = withSourceVersion<Patient>(
      { resourceType: 'Patient' },
      { source: doc, version: 4 },
      'https://health.example.net/fhir/StructureDefinition/source-version',
    );
    assert.deepEqual(sourceVersionOf(other), { source: doc, version: 4 });
    const moved = withSourceVersion(other, { source: doc, version: 5 }, SOURCE_VERSION_URL);
    assert.deepEqual(moved.extension, [{ url: SOURCE_VERSION_URL, valueString: `${doc}#5` }], 'one version extension, whatever base it had');
    assert.equal(sourceVersionOf({ extension: [{ url: 'https://fhir.example.org/StructureDefinition/other', valueString: `${doc}#5` }] }), undefined);
  });

  it('compares only within one source', () => {
    assert.equal(compareSourceVersions(v(3), v(2)), 'newer');
    assert.equal(compareSourceVersions(v(2), v(2)), 'same');
    assert.equal(compareSourceVersions(v(1), v(2)), 'older');
    assert.equal(
      compareSourceVersions(withSourceVersion<Patient>({ resourceType: 'Patient' }, { source: 'urn:uuid:other', version: 9 }, SOURCE_VERSION_URL), v(2)),
      undefined,
    );
    assert.equal(compareSourceVersions({ resourceType: 'Patient' }, v(2)), undefined);
  });

  it('leaves resources that cannot carry extensions unversioned, and reads garbage as no version', () => {
    const b = withSourceVersion<Bundle>({ resourceType: 'Bundle', type: 'collection' }, { source: doc, version: 1 }, SOURCE_VERSION_URL);
    assert.equal((b as { extension?: unknown }).extension, undefined);
    for (const bad of [
      null,
      'x',
      { extension: 'x' },
      { extension: [{ url: SOURCE_VERSION_URL, valueString: 'no-hash' }] },
      { extension: [{ url: SOURCE_VERSION_URL, valueString: 'a#0' }] },
    ]) {
      assert.equal(sourceVersionOf(bad), undefined, JSON.stringify(bad));
    }
  });

  it('reads the sequence of a CouchDB _rev', () => {
    assert.equal(revSequence('12-abc'), 12);
    assert.equal(revSequence('0-abc'), undefined);
    assert.equal(revSequence(12), undefined);
  });
});
