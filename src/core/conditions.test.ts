import { strict as assert } from 'node:assert';
import { conditionsFor } from './conditions';
import { refTo } from './identity';
import type { ReportContext } from './rules';
import { mergeStatement, stampStatement } from './statement';
import type { Condition } from 'fhir/r4';

describe('core/conditions: one Condition per person, concept and episode', () => {
  const d = { identifierBase: 'https://fhir.example.org/sid', namespace: '8c0d2a5e-3b7f-4e2a-9d61-5f4b2c7e1a90' };
  const ctx: ReportContext = {
    d,
    form: 'delivery',
    docId: 'doc-1',
    key: 'doc-1',
    effective: '2026-05-01T08:00:00.000Z',
    subject: refTo(d, 'Patient', 'mother'),
    subjectId: 'mother',
    fields: {
      sign: 'fever',
      babies: {
        baby: [
          { child_doc: 'twin-a', sign: 'fever' },
          { child_doc: 'twin-b', sign: 'fever' },
        ],
      },
    },
    shape: { sign: 'n', babies: { baby: [{ child_doc: 's', sign: 'n' }] } },
    concept: (k) => ({ coding: [{ system: 'http://snomed.info/sct', code: k }] }),
  };
  const pregnancy = [{ type: 'pregnancy', key: 'preg-report-1', ref: { reference: 'EpisodeOfCare/e' } }];

  it("twins with the same sign in their mother's episode are two Conditions, each its own; the mother's keeps its id", () => {
    const babies = conditionsFor(
      ctx,
      { field: 'babies.baby.sign', subject: 'babies.baby.child_doc', answers: { fever: 'fever' }, scope: 'episode', episode: 'pregnancy' },
      pregnancy,
    );
    assert.equal(babies.length, 2);
    assert.notEqual(babies[0].id, babies[1].id, 'one id for both would be a Bundle with one id twice (bdl-7), and one baby overwriting the other');
    assert.deepEqual(
      babies.map((c) => c.subject.reference),
      [refTo(d, 'Patient', 'twin-a').reference, refTo(d, 'Patient', 'twin-b').reference],
    );
    const [mother] = conditionsFor(ctx, { field: 'sign', answers: { fever: 'fever' }, scope: 'episode', episode: 'pregnancy' }, pregnancy);
    const again = conditionsFor(
      { ...ctx, key: 'doc-2', docId: 'doc-2' },
      { field: 'sign', answers: { fever: 'fever' }, scope: 'episode', episode: 'pregnancy' },
      pregnancy,
    )[0];
    assert.equal(mother.id, again.id, "the mother's fever in this episode is one Condition across reports");
    assert.ok(!babies.some((c) => c.id === mother.id));
  });

  it('a later report that leaves verification and category to the default does not take back a confirmed problem-list diagnosis', () => {
    const rule = { field: 'sign', answers: { fever: 'fever' }, scope: 'patient' as const };
    const [confirmed] = conditionsFor(ctx, { ...rule, verification: 'confirmed', category: 'problem-list-item' });
    const [later] = conditionsFor({ ...ctx, key: 'doc-2', docId: 'doc-2', effective: '2026-06-01T08:00:00.000Z' }, rule);
    const stored = stampStatement(confirmed, 'https://fhir.example.org/sid/cht-uuid/doc-1', 1);
    const merged = mergeStatement(stored, stampStatement(later, 'https://fhir.example.org/sid/cht-uuid/doc-2', 1)).resource as Condition;
    assert.equal(merged.verificationStatus?.coding?.[0]?.code, 'confirmed');
    assert.equal(merged.category?.[0]?.coding?.[0]?.code, 'problem-list-item');
    // Alone, the defaulted report still says provisional (it fills the empty slot).
    assert.equal(later.verificationStatus?.coding?.[0]?.code, 'provisional');
  });
});
