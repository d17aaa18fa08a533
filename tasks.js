// A referral that came from another system (FHIR ServiceRequest -> REFERRAL
// record, written by the cht-fhir receiver) becomes a follow-up task for the
// patient's health worker. It is done once a referral_follow_up report names
// the same request; that report goes back out as an Encounter + Task.
const followedUp = (contact, request) =>
  contact.reports.some((r) => r.form === 'referral_follow_up' && r.fields && r.fields.service_request === request);

const open = (report) => !report.fields.fhir_status || report.fields.fhir_status === 'active' || report.fields.fhir_status === 'completed';

module.exports = [
  {
    name: 'referral-follow-up',
    icon: 'icon-healthcare',
    title: 'Follow up referral',
    appliesTo: 'reports',
    appliesToType: ['REFERRAL'],
    // fhir_status (the ServiceRequest's, set by the receiver): only an active referral is due;
    // revoked / entered-in-error / on-hold / draft ones have no task; a completed one is done.
    appliesIf: (contact, report) => !!(report.fields && report.fields.service_request) && open(report),
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
    resolvedIf: (contact, report) => report.fields.fhir_status === 'completed' || followedUp(contact, report.fields.service_request),
  },
];
