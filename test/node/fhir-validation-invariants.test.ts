import { strict as assert } from 'node:assert';
import { preloadR4Definitions, validateR4 } from '../../src/fhir-validation';
import { reportDoc } from '../../harness/stand-ins/push-bundles';

type Json = Record<string, any>;

describe('FHIR R4 validation: invariants', function () {
  this.timeout(120000);
  before(() => preloadR4Definitions());

  it('invariants of resources inside a Bundle are checked too (medplum checks the root only)', () => {
    const bundle = reportDoc(2).body.bundle as unknown as Json;
    const obs = bundle.entry[1].resource;
    obs.dataAbsentReason = { text: 'asked' };
    const issues = validateR4(bundle);
    assert.deepEqual(
      issues.map((i) => [i.expression?.[0], i.code, i.details?.text?.slice(0, 28)]),
      [['Bundle.entry[1].resource', 'invariant', 'Constraint obs-6 not met: da']],
    );
    delete obs.dataAbsentReason;
    obs.contained = [{ resourceType: 'Patient', id: 'p', contained: [{ resourceType: 'Patient', id: 'q' }] }];
    // dom-2 (no nested contained) from medplum's invariants; dom-3 (nothing refers to them) from ours: medplum skips it.
    assert.deepEqual(
      validateR4(bundle).map((i) => i.details?.text?.slice(0, 26)),
      ['Constraint dom-2 not met: ', 'Constraint dom-3 not met: ', 'Constraint dom-3 not met: '],
    );
  });

  it('dom-3: a contained resource is referred to, or refers to its container; org-1: an Organization has a name or identifier', () => {
    const sr = { resourceType: 'ServiceRequest', id: 's', status: 'active', intent: 'order', subject: { reference: 'Patient/p' } };
    const dr = { resourceType: 'Practitioner', id: 'dr', name: [{ text: 'Dr A' }] };
    assert.deepEqual(validateR4({ ...sr, contained: [dr], requester: { reference: '#dr' } }), []);
    const device = { resourceType: 'Device', id: 'd', owner: { reference: '#' } };
    assert.deepEqual(validateR4({ ...sr, contained: [device] }), [], 'refers to its container');
    for (const contained of [[dr], [{ ...dr, id: undefined }]])
      assert.deepEqual(
        validateR4({ ...sr, contained }).map((i) => [i.expression?.[0], i.details?.text?.slice(0, 26)]),
        [['ServiceRequest.contained[0]', 'Constraint dom-3 not met: ']],
      );
    assert.deepEqual(
      validateR4({ resourceType: 'Organization', id: 'o', active: true }).map((i) => i.details?.text?.slice(0, 26)),
      ['Constraint org-1 not met: '],
    );
  });
});
