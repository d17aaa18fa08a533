import { strict as assert } from 'node:assert';
import type { Bundle, FhirResource, Patient } from 'fhir/r4';
import { sourceVersionOf, sourceVersionUrl, withSourceVersion } from '../../core/source-version';
import { assertValidR4 } from '../../fhir-validation';
import { toRestore } from './create-guard';
import { decide } from './deliver';

const SOURCE_VERSION_URL = sourceVersionUrl('https://fhir.example.org');

describe('decide: what a push does to the stored resource', () => {
  const src = 'https://fhir.example.org/sid/cht-uuid/rep-1';
  const patient = (family: string, version?: number, source = src): Patient => {
    const p: Patient = { resourceType: 'Patient', id: 'p', name: [{ family }] };
    return version ? withSourceVersion(p, { source, version }, SOURCE_VERSION_URL) : p;
  };
  /** As HAPI JPA stores it: `meta.source` `<source>#<its request id>`, the extension kept as sent. */
  const stamped = (p: Patient): Patient => ({ ...p, meta: { ...p.meta, versionId: '4', source: `${p.meta?.source ?? ''}#Xq7fPbUe9kLm2Rt0` } });

  it('orders by the source-version extension within one source; otherwise compares content; meta.source is never compared', () => {
    assert.equal(decide(patient('A', 3), undefined).decision, 'write');
    assert.equal(decide(patient('A', 3), stamped(patient('B', 5))).decision, 'superseded');
    assert.equal(decide(patient('A', 5), stamped(patient('A', 5))).decision, 'unchanged');
    assert.equal(decide(patient('B', 6), stamped(patient('A', 5))).decision, 'write');
    assert.equal(decide(patient('A', 6), stamped(patient('A', 5))).decision, 'unchanged', 'the next version saying the same: no FHIR version for nothing');
    assert.equal(
      decide(patient('A', 7), stamped(patient('A', 5))).decision,
      'write',
      'after a gap an unseen version may be in flight: the stored version keeps up',
    );
    assert.equal(
      decide(patient('A', 3, 'urn:uuid:5b0e9f7c-1c1d-4f55-9b1e-3f0c7d1e0001'), stamped(patient('A', 5))).decision,
      'unchanged',
      'another source, same content',
    );
    assert.equal(
      decide(patient('B', 3, 'urn:uuid:5b0e9f7c-1c1d-4f55-9b1e-3f0c7d1e0001'), stamped(patient('A', 5))).decision,
      'write',
      'another source: the last write wins',
    );
    assert.equal(decide(patient('A'), stamped(patient('A', 5))).decision, 'unchanged');
    assert.equal(decide(patient('A', 2), stamped(patient('A'))).decision, 'unchanged', 'a version alone is not content');
    // The version lives in the extension only: a `#n` in meta.source (as sent before, or HAPI's request id) orders nothing.
    assert.equal(decide({ ...patient('A'), meta: { source: `${src}#3` } }, { ...patient('B'), meta: { source: `${src}#5` } }).decision, 'write');
  });

  it('the version is a valid R4 resource extension; other extensions are kept, a pushed version is replaced', () => {
    const other = { url: 'http://hl7.org/fhir/StructureDefinition/patient-birthPlace', valueAddress: { city: 'Kisumu' } };
    const p = withSourceVersion(
      withSourceVersion<Patient>({ resourceType: 'Patient', id: 'p', extension: [other] }, { source: src, version: 2 }, SOURCE_VERSION_URL),
      { source: src, version: 3 },
      SOURCE_VERSION_URL,
    );
    assertValidR4(p);
    assert.deepEqual(p.extension, [other, { url: SOURCE_VERSION_URL, valueString: `${src}#3` }]);
    assert.equal(p.meta?.source, src, 'meta.source: provenance only');
    assert.deepEqual(sourceVersionOf(p), { source: src, version: 3 });
    const bundle = withSourceVersion<Bundle>({ resourceType: 'Bundle', type: 'collection' }, { source: src, version: 3 }, SOURCE_VERSION_URL);
    assertValidR4(bundle);
    assert.equal(sourceVersionOf(bundle), undefined, 'not a DomainResource: no extension, no version');
  });

  it('toRestore: the version before ours, when ours is the newest and that one is newer by source version', () => {
    const v = (family: string, versionId: string, n?: number, source = src) =>
      ({ ...patient(family, n, source), meta: { ...patient(family, n, source).meta, versionId, lastUpdated: '2026-01-01T00:00:00Z' } }) as FhirResource;
    const back = toRestore([v('A', '2', 1), v('B', '1', 2)], '2') as Patient;
    assert.deepEqual(back, { ...patient('B', 2), meta: { source: src } });
    assert.equal(toRestore([v('A', '2', 2), v('B', '1', 1)], '2'), undefined, 'ours is newer');
    assert.equal(toRestore([v('A', '3', 1), v('B', '2', 2)], '2'), undefined, 'a later writer decided against ours');
    assert.equal(
      toRestore([v('A', '2', 1), v('B', '1', 2, 'urn:uuid:5b0e9f7c-1c1d-4f55-9b1e-3f0c7d1e0001')], '2'),
      undefined,
      'another source: last write wins',
    );
    assert.equal(toRestore([v('A', '1', 1)], '1'), undefined);
  });
});
