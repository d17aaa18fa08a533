import { strict as assert } from 'node:assert';
import { preloadR4Definitions, validateR4 } from '../../src/fhir-validation';
import { reportDoc } from '../stand-ins/push-bundles';

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
    assert.deepEqual(
      validateR4(bundle).map((i) => i.details?.text?.slice(0, 26)),
      ['Constraint dom-2 not met: '],
    );
  });
});
