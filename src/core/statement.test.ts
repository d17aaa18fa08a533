import { strict as assert } from 'node:assert';
import type { Condition, EpisodeOfCare, Resource } from 'fhir/r4';
import { mergeStatement, stampStatement, statementsOf, withClaims } from './statement';

describe('core/statement: resources several reports write, merged by clinical time', () => {
  const src = (doc: string) => `https://moh.example.org/sid/cht-uuid/${doc}`;
  const condition = (over: Partial<Condition>): Condition => ({
    resourceType: 'Condition',
    id: 'preg',
    clinicalStatus: { coding: [{ code: 'active' }] },
    code: { text: 'pregnancy' },
    subject: { reference: 'Patient/w' },
    ...over,
  });
  const stated = <T extends Resource>(r: T, doc: string, rev: number, time: string, claims: string[]) =>
    stampStatement(withClaims(r, 'https://moh.example.org/StructureDefinition/statement', claims, time), src(doc), rev);

  const registration = stated(condition({ onsetDateTime: '2026-01-01', recordedDate: '2026-02-01T08:00:00Z' }), 'reg', 1, '2026-02-01T08:00:00Z', [
    'status',
    'onset',
    'recordedDate',
    'code',
    'subject',
  ]);
  const visit = stated(condition({ recordedDate: '2026-05-01T08:00:00Z' }), 'visit', 1, '2026-05-01T08:00:00Z', ['status', 'code', 'subject']);
  const delivery = stated(
    condition({ clinicalStatus: { coding: [{ code: 'resolved' }] }, abatementDateTime: '2026-09-30', recordedDate: '2026-10-01T08:00:00Z' }),
    'delivery',
    2,
    '2026-10-01T08:00:00Z',
    ['status', 'code', 'subject'],
  );

  /** Pushes in this order into an empty store; the stored resource at the end. */
  const store = (pushes: Resource[]): Resource | undefined => {
    let stored: Resource | undefined;
    for (const p of pushes) stored = stored ? mergeStatement(stored, p).resource : p;
    return stored;
  };

  it('ends the same whatever the order: onset from the first report, status and abatement from the latest', () => {
    const orders = [
      [registration, visit, delivery],
      [delivery, visit, registration],
      [visit, delivery, registration, visit],
      [delivery, registration, delivery, visit, registration],
      [visit, registration, delivery],
      [registration, delivery, visit],
    ];
    const ends = orders.map(store);
    for (const end of ends.slice(1)) assert.deepEqual(end, ends[0]);
    const end = ends[0] as Condition;
    assert.equal(end.clinicalStatus?.coding?.[0]?.code, 'resolved', 'a late visit does not re-open it');
    assert.equal(end.onsetDateTime, '2026-01-01', 'the LMP the registration gave stays');
    assert.equal(end.abatementDateTime, '2026-09-30');
    assert.equal(end.recordedDate, '2026-02-01T08:00:00Z', 'first recorded at the registration');
    assert.deepEqual(
      statementsOf(end).map((s) => [s.source.split('/').pop(), s.slots.join(' ')]),
      [
        ['delivery', 'code status subject'],
        ['reg', 'onset recordedDate'],
      ],
      'a statement that owns nothing is not kept',
    );
  });

  it('a newer version of a report replaces its statement; an older or the same one changes nothing', () => {
    const stored = store([registration, delivery])!;
    const older = stated(
      condition({ clinicalStatus: { coding: [{ code: 'inactive' }] }, abatementDateTime: '2026-09-01' }),
      'delivery',
      1,
      '2026-10-01T08:00:00Z',
      ['status'],
    );
    assert.equal(mergeStatement(stored, older).decision, 'superseded');
    assert.equal(mergeStatement(stored, delivery).decision, 'unchanged');
    const edited = stated(
      condition({ clinicalStatus: { coding: [{ code: 'resolved' }] }, abatementDateTime: '2026-09-29' }),
      'delivery',
      3,
      '2026-10-01T08:00:00Z',
      ['status'],
    );
    const merged = mergeStatement(stored, edited);
    assert.equal(merged.decision, 'write');
    assert.equal((merged.resource as Condition).abatementDateTime, '2026-09-29');
  });

  it('an unclaimed default fills only what nobody owns; split elements are owned in parts (episode start and end)', () => {
    const episode = (over: Partial<EpisodeOfCare>): EpisodeOfCare => ({
      resourceType: 'EpisodeOfCare',
      id: 'e',
      status: 'active',
      patient: { reference: 'Patient/w' },
      ...over,
    });
    const opens = stated(episode({ period: { start: '2026-02-01T08:00:00Z' } }), 'reg', 1, '2026-02-01T08:00:00Z', ['status', 'period.start', 'patient']);
    const followUp = stated(episode({}), 'visit', 1, '2026-11-01T08:00:00Z', ['patient']);
    const closes = stated(episode({ status: 'finished', period: { end: '2026-10-01T08:00:00Z' } }), 'delivery', 1, '2026-10-01T08:00:00Z', [
      'status',
      'patient',
    ]);
    const ends = [
      [followUp, closes, opens],
      [opens, closes, followUp],
      [closes, followUp, opens],
    ].map(store);
    for (const end of ends) assert.deepEqual(end, ends[0]);
    const end = ends[0] as EpisodeOfCare;
    assert.equal(end.status, 'finished', "a later follow-up's default status does not re-open it");
    assert.deepEqual(end.period, { start: '2026-02-01T08:00:00Z', end: '2026-10-01T08:00:00Z' });
  });
});
