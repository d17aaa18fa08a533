// A referral that came from another system (FHIR ServiceRequest -> REFERRAL
// record, written by the cht-fhir receiver) becomes a follow-up task for the
// patient's health worker. It is done once a referral_follow_up report names
// the same request; that report goes back out as an Encounter + Task.
const followedUp = (contact, request) =>
  contact.reports.some((r) => r.form === 'referral_follow_up' && r.fields && r.fields.service_request === request);

module.exports = [
  {
    name: 'referral-follow-up',
    icon: 'icon-healthcare',
    title: 'Follow up referral',
    appliesTo: 'reports',
    appliesToType: ['REFERRAL'],
    appliesIf: (contact, report) => !!(report.fields && report.fields.service_request),
    actions: [
      {
        type: 'report',
        form: 'referral_follow_up',
        label: 'Follow up referral',
        modifyContent: (content, contact, report) => {
          content.service_request = report.fields.service_request;
          content.reason = report.fields.reason || '';
        },
      },
    ],
    events: [{ id: 'referral-follow-up', days: 0, start: 0, end: 7 }],
    resolvedIf: (contact, report) => followedUp(contact, report.fields.service_request),
  },
];
