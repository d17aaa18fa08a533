import { strict as assert } from 'node:assert';
import type { OperationOutcomeIssue } from 'fhir/r4';
import { literalReferences } from './urn-references';

describe('receiver/urn-references: a Bundle entry named by its urn:uuid becomes <Type>/<id>', () => {
  const byUrn = new Map([['urn:uuid:1', 'Patient/1']]);

  it('rewrites references at any depth, in place, and leaves other values alone', () => {
    const obs = {
      subject: { reference: 'urn:uuid:1' },
      focus: [{ reference: 'urn:uuid:1' }],
      note: [{ text: 'urn:uuid:1' }],
      basedOn: [{ reference: 'ServiceRequest/x' }],
    };
    literalReferences(obs, byUrn, () => 'Observation');
    assert.deepEqual(obs, {
      subject: { reference: 'Patient/1' },
      focus: [{ reference: 'Patient/1' }],
      note: [{ text: 'urn:uuid:1' }],
      basedOn: [{ reference: 'ServiceRequest/x' }],
    });
  });

  it('a urn:uuid naming no entry: an issue at its path when asked (a push), else left as it is (a clinic batch)', () => {
    const dangling: OperationOutcomeIssue[] = [];
    const obs = { performer: [{ reference: 'urn:uuid:2' }] };
    literalReferences(obs, byUrn, () => 'Bundle.entry[0].resource', dangling);
    assert.deepEqual(
      dangling.map((i) => [i.code, i.expression]),
      [['not-found', ['Bundle.entry[0].resource.performer[0].reference']]],
    );
    literalReferences(obs, byUrn, () => 'x');
    assert.equal(obs.performer[0].reference, 'urn:uuid:2');
  });
});
