import { strict as assert } from 'node:assert';
import fs from 'node:fs';
import path from 'node:path';
import type { Bundle, Encounter, ServiceRequest, Task } from 'fhir/r4';
import { startFhirServer, type FhirServer } from '../../src/doubles/fhir-store';
import { startReceiver, type Receiver } from '../../src/runtime/receiver';
import { compileDefinitions } from '../../src/compiler/definitions/compile';
import { outboundEntries, ENTRY_PREFIX } from '../../src/compiler/outbound';
import { isRelevant, mapPayload } from '../../src/doubles/cht-outbound-push/cht-outbound';
import { hydrate } from '../../src/doubles/cht-outbound-push/hydrate';
import { resourceId } from '../../src/core/identity';
import { ROOT, referenceModel } from '../../harness/repo';
import { assertValidR4 } from '../../src/fhir-validation';
import { startChtStandIn, type ChtStandIn } from '../../harness/stand-ins/cht-api';
import { sampleContacts, sampleReports, type Doc } from '../../harness/samples';
import { push, CREDS, AUTH } from '../../harness/receiver-stack';
import { rawRequest } from '../../harness/stand-ins/raw-http';

/**
 * The whole loop over HTTP: CHT pushes a patient out, a clinic's referral
 * (ServiceRequest) comes in and becomes a CHT record, the health worker's
 * follow-up report goes out and lands as an Encounter based on the request,
 * with a Task reporting back.
 */
describe('round trip: patient out -> referral in -> follow-up out', function () {
  this.timeout(120000);
  let fhir: FhirServer;
  let cht: ChtStandIn;
  let receiver: Receiver;
  let entry: Awaited<ReturnType<typeof outboundEntries>>[string];
  const contacts = sampleContacts();
  const model = compileDefinitions(ROOT).model;
  const forms = JSON.parse(fs.readFileSync(path.join(ROOT, 'app_settings/forms.json'), 'utf8'));

  before(async () => {
    entry = (await outboundEntries(compileDefinitions(ROOT), {}))[ENTRY_PREFIX];
    fhir = await startFhirServer();
    cht = await startChtStandIn({ forms, docs: contacts });
    receiver = await startReceiver({ auth: CREDS, fhirBaseUrl: fhir.url, inbound: { chtUrl: cht.urlWithCredentials, model: referenceModel() } });
  });
  after(async () => {
    await receiver.close();
    await cht.close();
    await fhir.close();
  });

  /** What CHT's outbound push does for one doc: hydrate, map, POST. */
  async function chtPushes(doc: Doc): Promise<number> {
    const hydrated = hydrate(doc, [...contacts, ...cht.docs.values()] as Doc[]);
    assert.ok(isRelevant(entry, hydrated), doc._id);
    const res = await push(`${receiver.url}${entry.destination.path}`, mapPayload(entry, ENTRY_PREFIX, hydrated));
    return res.status;
  }

  const inbound = (method: string, p: string, body: unknown, auth = AUTH) =>
    rawRequest(`${receiver.url}${p}`, {
      method,
      headers: { authorization: auth, 'content-type': 'application/fhir+json' },
      body: JSON.stringify(body),
      timeoutMs: 15000,
    });

  const id = (kind: Parameters<typeof resourceId>[1], chtId: string) => resourceId(model.deployment, kind, chtId);

  it('every sample contact and report lands as valid R4', async () => {
    for (const doc of [...contacts, ...sampleReports()]) assert.equal(await chtPushes(doc), 200, doc._id);
    const stored: Bundle = await fetch(`${fhir.url}/Encounter?_count=1000`).then((r) => r.json());
    assert.equal(stored.entry?.length, sampleReports().length);
    for (const type of [
      'Patient',
      'Practitioner',
      'PractitionerRole',
      'Organization',
      'Location',
      'Encounter',
      'Observation',
      'Condition',
      'QuestionnaireResponse',
    ]) {
      const b: Bundle = await fetch(`${fhir.url}/${type}?_count=1000`).then((r) => r.json());
      assert.ok((b.entry ?? []).length > 0, type);
      for (const e of b.entry ?? []) {
        const { meta: _meta, ...resource } = e.resource as unknown as Record<string, unknown>;
        assertValidR4(resource);
      }
    }
  });

  const request: ServiceRequest = {
    resourceType: 'ServiceRequest',
    id: 'sr-1',
    meta: { versionId: '1' },
    status: 'active',
    intent: 'order',
    priority: 'urgent',
    code: { text: 'Antenatal review at the health facility' },
    subject: { reference: '' },
    requester: { display: 'Dr. Wanjiru, Kisumu District Hospital' },
    reasonCode: [{ text: 'High blood pressure at ANC visit' }],
    authoredOn: '2026-11-20T09:00:00Z',
  };

  it('a clinic referral (ServiceRequest) becomes one REFERRAL record for the right patient in CHT', async () => {
    request.subject.reference = `Patient/${id('Patient', 'woman-1')}`; // no identifier: found through the FHIR server
    const put = await fetch(`${fhir.url}/ServiceRequest/sr-1`, {
      method: 'PUT',
      headers: { 'content-type': 'application/fhir+json' },
      body: JSON.stringify(request),
    });
    assert.ok(put.ok, await put.text());
    const res = await inbound('POST', '/fhir/ServiceRequest', request);
    assert.equal(res.status, 201, res.text);
    const records = [...cht.docs.values()].filter((d) => d.form === 'REFERRAL');
    assert.equal(records.length, 1);
    assert.deepEqual(records[0].errors, []);
    assert.equal(records[0].fields.patient_uuid, 'woman-1');
    assert.equal(records[0].fields.service_request, 'ServiceRequest/sr-1');
    assert.equal(records[0].fields.reason, 'High blood pressure at ANC visit');
    assert.equal(records[0].fields.priority, 'urgent');
  });

  it('the same referral sent again (OpenHIM retry) writes nothing more', async () => {
    const before = cht.writes;
    const again = await Promise.all([1, 2, 3].map(() => inbound('POST', '/fhir/ServiceRequest', request)));
    for (const r of again) assert.equal(r.status, 200, r.text);
    assert.equal(cht.writes, before);
  });

  it('the referral raises the follow-up task, which the follow-up report resolves (tasks.js, targets.js)', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const [task] = require(path.join(ROOT, 'tasks.js'));
    const referral = [...cht.docs.values()].find((d) => d.form === 'REFERRAL')!;
    const contact = { contact: contacts.find((c) => c._id === 'woman-1'), reports: [referral] };
    assert.equal(task.appliesToType[0], 'REFERRAL');
    assert.equal(task.appliesIf(contact, referral), true);
    const content: Record<string, string> = {};
    task.actions[0].modifyContent(content, contact, referral);
    assert.equal(content.service_request, 'ServiceRequest/sr-1');
    assert.equal(task.resolvedIf(contact, referral), false);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const [target] = require(path.join(ROOT, 'targets.js'));
    assert.equal(target.appliesIf(contact, referral), true);
    assert.equal(target.passesIf(contact, referral), false);
    contact.reports.push({ form: 'referral_follow_up', fields: { service_request: 'ServiceRequest/sr-1' } });
    assert.equal(task.resolvedIf(contact, referral), true);
    assert.equal(target.passesIf(contact, referral), true, 'the referral counts as followed up');
  });

  it('the follow-up report goes out as an Encounter based on the request and a Task reporting back', async () => {
    const followUp: Doc = {
      _id: 'rep-follow-1',
      type: 'data_record',
      form: 'referral_follow_up',
      reported_date: 1764500000000,
      contact: { _id: 'chw-1', parent: { _id: 'hc-1', parent: { _id: 'dh-1' } } },
      fields: {
        inputs: { source: 'task', service_request: 'ServiceRequest/sr-1', reason: 'High blood pressure at ANC visit', contact: { _id: 'woman-1' } },
        patient_uuid: 'woman-1',
        service_request: 'ServiceRequest/sr-1',
        referral_reason: 'High blood pressure at ANC visit',
        reached_facility: 'yes',
        outcome: 'treated',
        meta: { instanceID: 'uuid:f0110w-up' },
      },
    };
    assert.equal(await chtPushes(followUp), 200);
    const encounter: Encounter = await fetch(`${fhir.url}/Encounter/${id('Encounter', 'uuid:f0110w-up')}`).then((r) => r.json());
    assert.deepEqual(encounter.basedOn, [{ reference: 'ServiceRequest/sr-1' }]);
    assert.equal(encounter.subject?.reference, `Patient/${id('Patient', 'woman-1')}`);
    const tasks: Bundle = await fetch(`${fhir.url}/Task?_count=100`).then((r) => r.json());
    const mine = (tasks.entry ?? []).map((e) => e.resource as Task).filter((t) => t.focus?.reference === 'ServiceRequest/sr-1');
    assert.equal(mine.length, 1);
    const task = mine[0];
    assert.equal(task.status, 'completed');
    assert.equal(task.focus?.reference, 'ServiceRequest/sr-1');
    assert.equal(task.encounter?.reference, `Encounter/${id('Encounter', 'uuid:f0110w-up')}`);
    const sr = await fetch(`${fhir.url}/ServiceRequest/sr-1`);
    assert.equal(sr.status, 200, 'the request the Encounter is based on is in the store');
    for (const r of [encounter, task]) {
      const { meta: _meta, ...resource } = r as unknown as Record<string, unknown>;
      assertValidR4(resource);
    }
  });

  it('a Patient that came from CHT is never written back to CHT', async () => {
    const before = cht.writes;
    const patient = await fetch(`${fhir.url}/Patient/${id('Patient', 'child-1')}`).then((r) => r.json());
    delete patient.meta;
    const res = await inbound('PUT', `/fhir/Patient/${patient.id}`, patient);
    assert.equal(res.status, 200, res.text);
    assert.match(res.text, /came from CHT/);
    assert.equal(cht.writes, before);
  });
});
