// Share of referrals from other systems (REFERRAL records written by the
// cht-fhir receiver) that the health worker followed up, this month.
module.exports = [
  {
    id: 'referrals-followed-up',
    type: 'percent',
    icon: 'icon-healthcare',
    goal: 80,
    translation_key: 'targets.referrals_followed_up.title',
    subtitle_translation_key: 'targets.this_month.subtitle',
    appliesTo: 'reports',
    appliesToType: ['REFERRAL'],
    appliesIf: (contact, report) => !!(report.fields && report.fields.service_request),
    passesIf: (contact, report) =>
      contact.reports.some((r) => r.form === 'referral_follow_up' && r.fields && r.fields.service_request === report.fields.service_request),
    idType: 'report',
    date: 'reported',
  },
];
