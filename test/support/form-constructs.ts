/**
 * Mappings of two forms written the way CHT's are (test/fixtures/forms:
 * rdt_capture, a rapid test captured with a reader app; anc_home_visit, a
 * home visit with medicines, a referral, a vaccine without a day, a past
 * birth's attendant and place, a free-text illness), using every construct
 * of docs/forms.md "Who, where, medicines, referrals, tests".
 */
export const CONCEPTS = {
  'rdt-cassette': { text: 'Malaria rapid diagnostic test cassette' },
  'capillary-blood': { system: 'http://snomed.info/sct', code: '122554006', display: 'Capillary blood specimen' },
  'iron-folate': { text: 'Iron and folic acid supplement' },
  mebendazole: { text: 'Mebendazole 500 mg' },
  ors: { text: 'Oral rehydration salts' },
  oral: { system: 'http://snomed.info/sct', code: '26643006', display: 'Oral route' },
  'tetanus-toxoid': { system: 'http://hl7.org/fhir/sid/cvx', code: '35', display: 'tetanus toxoid, adsorbed' },
  'facility-referral': { system: 'http://snomed.info/sct', code: '3457005', display: 'Patient referral' },
  'severe-headache': { text: 'Severe headache' },
  'skilled-attendant': { text: 'Skilled birth attendant' },
  'traditional-attendant': { text: 'Traditional birth attendant' },
};

export const RDT = {
  epoch_ms: ['rdt.time_read', 'rdt.time_started'],
  attachments: { 'rdt.photo': 'image/jpeg', 'rdt.strip_drawing': 'image/png' },
  location: 'rdt.testing_facility',
  observations: [
    {
      field: 'rdt.result',
      code: 'malaria-rdt',
      answers: { positive: 'positive', negative: 'negative' },
      category: 'laboratory',
      date: 'rdt.time_read',
      performer: { field: 'rdt.tester', as: 'Practitioner' },
      device: { code: 'rdt-cassette', lot: 'rdt.lot', expiry: 'rdt.expiry', manufacturer: 'Example Diagnostics' },
      specimen: { code: 'capillary-blood', date: 'rdt.time_started' },
    },
  ],
};

export const VISIT = {
  conditions: [
    { field: 'danger_signs.signs', answers: { bleeding: 'vaginal-bleeding', fever: 'fever' } },
    { field: 'other_illness', text: true },
  ],
  medications: [
    { field: 'medicines.iron_folate_daily', answers: { yes: 'iron-folate' }, kind: 'statement' },
    { field: 'medicines.iron_folate_daily', answers: { no: 'iron-folate' }, kind: 'statement', status: 'not-taken' },
    { field: 'medicines.deworming_given', answers: { yes: 'mebendazole' }, kind: 'administration' },
    { field: 'medicines.ors_given', answers: { yes: 'ors' }, kind: 'administration', dose: 'medicines.ors_sachets', unit: '{sachet}', route: 'oral' },
  ],
  immunizations: [{ field: 'immunization.tt_received', answers: { yes: 'tetanus-toxoid' }, date_text: 'during this pregnancy' }],
  procedures: [
    {
      field: 'previous_birth.delivery_conductor',
      answers: { skilled: 'delivery', traditional: 'delivery', other: 'delivery' },
      date_text: 'before this pregnancy',
      performer: { field: 'previous_birth.delivery_conductor', roles: { skilled: 'skilled-attendant', traditional: 'traditional-attendant' } },
      location: { field: 'previous_birth.delivery_place', answers: { home: 'household', health_facility: 'facility' } },
    },
  ],
  referrals: [
    {
      field: 'referral.refer',
      answers: { yes: 'facility-referral' },
      priority: { field: 'referral.urgency', answers: { now: 'urgent', week: 'routine' } },
      reasons: [{ field: 'danger_signs.signs', answers: { bleeding: 'vaginal-bleeding', fever: 'fever', headache: 'severe-headache' } }],
      date: 'referral.visit_by',
    },
  ],
};

export const HEALTH_CENTER = { _id: 'hc-1', type: 'contact', contact_type: 'health_center', name: 'Kisumu HC', parent: { _id: 'dh-1' } };
export const CHW = { _id: 'chw-1', type: 'contact', contact_type: 'person', name: 'Amina CHW', role: 'chw', parent: HEALTH_CENTER };
export const HOUSEHOLD = { _id: 'hh-1', type: 'contact', contact_type: 'clinic', name: 'Otieno household', parent: { _id: 'hc-1', parent: { _id: 'dh-1' } } };
export const WOMAN = { _id: 'woman-1', type: 'contact', contact_type: 'person', name: 'Akinyi Otieno', date_of_birth: '1998-03-02', parent: HOUSEHOLD };

/** 1x1 JPEG, base64, as a reader app hands it back. */
export const PHOTO =
  '/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAgGBgcGBQgHBwcJCQgKDBQNDAsLDBkSEw8UHRofHh0aHBwgJC4nICIsIxwcKDcpLDAxNDQ0Hyc5PTgyPC4zNDL/wAALCAABAAEBAREA/8QAFAABAAAAAAAAAAAAAAAAAAAACf/EABQQAQAAAAAAAAAAAAAAAAAAAAD/2gAIAQEAAD8AKp//2Q==';

/** Hydrated as CHT's outbound push hydrates a report: the submitter, the patient, each with their lineage. */
export function rdtReport(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    _id: 'rdt-report-1',
    _rev: '1-a',
    type: 'data_record',
    form: 'rdt_capture',
    reported_date: Date.parse('2026-11-20T09:30:00Z'),
    contact: CHW,
    patient: WOMAN,
    _attachments: { 'user-file/rdt_capture/rdt/strip_drawing': { content_type: 'image/png', length: 5120, stub: true, digest: 'md5-x' } },
    fields: {
      inputs: { source: 'user', contact: { _id: 'woman-1', name: 'Akinyi Otieno' } },
      patient_uuid: 'woman-1',
      patient_name: 'Akinyi Otieno',
      rdt: {
        tester: 'chw-1',
        testing_facility: 'hc-1',
        result: 'positive',
        time_read: String(Date.parse('2026-11-20T09:21:00Z')),
        time_started: String(Date.parse('2026-11-20T09:05:00Z')),
        lot: 'LOT-4411',
        expiry: '2027-06-30',
        photo: PHOTO,
        strip_drawing: '',
        ...overrides,
      },
      meta: { instanceID: 'uuid:6f1c9a2e-1b7d-4c35-9a0e-2f8d5c4b3a10' },
    },
  };
}

export function visitReport(fields: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    _id: 'visit-report-1',
    _rev: '1-a',
    type: 'data_record',
    form: 'anc_home_visit',
    reported_date: Date.parse('2026-11-21T10:00:00Z'),
    contact: CHW,
    patient: WOMAN,
    fields: {
      inputs: { source: 'user', contact: { _id: 'woman-1', name: 'Akinyi Otieno' } },
      patient_uuid: 'woman-1',
      danger_signs: { signs: 'bleeding headache' },
      medicines: { iron_folate_daily: 'no', deworming_given: 'yes', ors_given: 'yes', ors_sachets: '4' },
      immunization: { tt_received: 'yes' },
      previous_birth: { delivery_place: 'home', delivery_conductor: 'traditional' },
      other_illness: 'Painful swelling of the left leg',
      referral: { refer: 'yes', urgency: 'now', visit_by: '2026-11-22' },
      meta: { instanceID: 'uuid:0a4d1f6b-7c2e-4b18-8d3f-9e5a6b7c8d21' },
      ...fields,
    },
  };
}
