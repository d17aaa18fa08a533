/**
 * A household survey (test/fixtures/forms/hh.xml): a repeat per member, a
 * repeat per illness inside it, each member a db-doc person referenced by a
 * relative db-doc-ref; its mapping and a report of three members.
 */
export const HH = {
  observations: [
    { field: 'members.member.age', code: { system: 'http://loinc.org', code: '30525-0', display: 'Age' }, unit: 'a', subject: 'members.member.profile_ref' },
  ],
  conditions: [
    {
      field: 'members.member.illnesses.illness.kind',
      subject: 'members.member.profile_ref',
      answers: { malaria: 'malaria-icd11', cough: 'cough' },
      onset: 'members.member.illnesses.illness.onset',
    },
  ],
};

export function hhReport(): Record<string, unknown> {
  return {
    _id: 'hh-report-1',
    type: 'data_record',
    form: 'hh',
    reported_date: 1796000000000,
    contact: { _id: 'chw-1' },
    fields: {
      visit_date: '2026-11-28',
      members: {
        member: [
          {
            name: 'Akoth',
            age: '34',
            illnesses: {
              illness: [
                { kind: 'malaria', onset: '2026-11-01' },
                { kind: 'cough', onset: '' },
              ],
            },
            profile: { type: 'person', name: 'Akoth' },
            profile_ref: 'p-a',
          },
          {
            name: 'Baraka',
            age: '3',
            illnesses: { illness: { kind: 'cough', onset: '2026-11-20' } },
            profile: { type: 'person', name: 'Baraka' },
            profile_ref: 'p-b',
          },
          { name: 'Chebet', age: '', illnesses: { illness: [] }, profile: { type: 'person', name: 'Chebet' }, profile_ref: 'p-c' },
        ],
      },
      meta: { instanceID: 'uuid:hh-1' },
    },
  };
}
