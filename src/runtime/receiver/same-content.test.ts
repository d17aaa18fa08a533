import { strict as assert } from 'node:assert';
import { canonicalJson, contentHash } from './canonical-json';
import { sameContent } from './same-content';

describe('receiver/same-content and canonical JSON: what counts as the same resource', () => {
  it('canonical JSON: keys sorted at every level, undefined left out, arrays in order', () => {
    assert.equal(canonicalJson({ b: 1, a: { d: [2, 1], c: undefined } }), '{"a":{"d":[2,1]},"b":1}');
    assert.equal(contentHash({ a: 1, b: 2 }), contentHash({ b: 2, a: 1 }));
    assert.notEqual(contentHash([1, 2]), contentHash([2, 1]));
  });

  it('sameContent: key order, meta bookkeeping and the source-version extension do not count; content does', () => {
    const stored = {
      resourceType: 'Patient',
      id: 'p',
      meta: { versionId: '3', lastUpdated: '2026-01-01T00:00:00Z', source: 'x#abc' },
      extension: [{ url: 'https://fhir.example.org/StructureDefinition/source-version', valueString: 'a#2' }],
      name: [{ family: 'A', given: ['B'] }],
    };
    assert.ok(sameContent(stored, { name: [{ given: ['B'], family: 'A' }], id: 'p', resourceType: 'Patient' }));
    assert.ok(!sameContent(stored, { resourceType: 'Patient', id: 'p', name: [{ family: 'A', given: ['C'] }] }));
    assert.ok(!sameContent(undefined, { resourceType: 'Patient' }));
  });
});
