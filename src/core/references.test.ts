import { strict as assert } from 'node:assert';
import { eachReference } from './references';

describe('core/references: every reference string in a FHIR value', () => {
  it('finds references at any depth with their paths, skips reference-like text elsewhere, and lets the holder be rewritten', () => {
    const value = { subject: { reference: 'Patient/1' }, performer: [{ reference: 'urn:uuid:2' }], note: [{ text: 'Patient/3' }], reference: 7 };
    const seen: string[] = [];
    eachReference(
      value,
      (reference, holder, at) => {
        seen.push(`${at()}=${reference}`);
        holder.reference = reference.toUpperCase();
      },
      () => 'Observation',
    );
    assert.deepEqual(seen, ['Observation.subject=Patient/1', 'Observation.performer[0]=urn:uuid:2']);
    assert.equal(value.performer[0].reference, 'URN:UUID:2');
  });
});
