import { strict as assert } from 'node:assert';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Bundle, CapabilityStatement, Patient, ServiceRequest } from 'fhir/r4';
import { startFhirServer, type FhirServer } from '../../src/doubles/fhir-store';
import { startReceiver, type Receiver } from '../../src/runtime/receiver';
import { compileDefinitions } from '../../src/compiler/definitions/compile';
import { compileInbound } from '../../src/compiler/definitions/inbound';
import { outboundEntries, ENTRY_PREFIX } from '../../src/compiler/outbound';
import { isRelevant, mapPayload } from '../../src/doubles/cht-outbound-push/cht-outbound';
import { hydrate } from '../../src/doubles/cht-outbound-push/hydrate';
import { resourceId, systems } from '../../src/core/identity';
import { ROOT, referenceModel } from '../../harness/repo';
import { assertValidR4 } from '../../src/fhir-validation';
import { startChtStandIn, type ChtStandIn } from '../../harness/stand-ins/cht-api';
import { sampleContacts, type Doc } from '../../harness/samples';
import { CREDS, AUTH, push } from '../../harness/receiver-stack';
import { rawRequest } from '../../harness/stand-ins/raw-http';

/**
 * Issue 13's findings, each with the request that failed before: one
 * identity across systems, updates and statuses, canonical keys, the FHIR
 * surface clinics expect, CHT's login limit and missing forms.
 */
describe('FHIR -> CHT contract (issue 13 findings)', function () {
  this.timeout(120000);
  let fhir: FhirServer;
  let cht: ChtStandIn;
  let receiver: Receiver;
  const { model } = compileDefinitions(ROOT);
  const sys = systems(model.deployment);
  const forms = JSON.parse(fs.readFileSync(path.join(ROOT, 'app_settings/forms.json'), 'utf8'));
  const hh1 = { reference: `Organization/${resourceId(model.deployment, 'Organization', 'hh-1')}`, identifier: { system: sys.chtId, value: 'hh-1' } };
  const MRN = 'https://clinic.example.org/mrn';

  before(async () => {
    fhir = await startFhirServer();
    cht = await startChtStandIn({ forms, docs: sampleContacts(), contactTypes: referenceModel().contactTypes });
    receiver = await startReceiver({ auth: CREDS, fhirBaseUrl: fhir.url, inbound: { chtUrl: cht.urlWithCredentials, model: referenceModel() } });
  });
  after(async () => {
    await receiver.close();
    await cht.close();
    await fhir.close();
  });

  const send = (method: string, p: string, body: unknown, headers: Record<string, string> = {}) =>
    rawRequest(`${receiver.url}${p}`, {
      method,
      headers: { authorization: AUTH, 'content-type': 'application/fhir+json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
      timeoutMs: 15000,
    });
  const clinicPatient = (id: string, over: Partial<Patient> = {}): Patient => ({
    resourceType: 'Patient',
    id,
    identifier: [{ system: MRN, value: `MRN-${id}` }],
    name: [{ use: 'official', given: ['Akinyi'], family: 'Were' }],
    gender: 'female',
    birthDate: '2001-05-06',
    telecom: [{ system: 'phone', value: '+254733000333' }],
    managingOrganization: hh1,
    ...over,
  });
  const referral = (id: string, subject: ServiceRequest['subject'], over: Partial<ServiceRequest> = {}): ServiceRequest => ({
    resourceType: 'ServiceRequest',
    id,
    status: 'active',
    intent: 'order',
    subject,
    reasonCode: [{ text: 'Fast breathing' }],
    authoredOn: '2026-11-20T09:00:00Z',
    ...over,
  });
  const recordOf = (srId: string) => [...cht.docs.values()].filter((d) => d.fields?.service_request === `ServiceRequest/${srId}`);

  describe('1. one identity: a clinic Patient and the CHT person are one FHIR Patient', () => {
    it('clinic Patient -> CHT person -> outbound push -> one Patient with both identifier sets', async () => {
      assert.equal((await send('PUT', '/fhir/Patient/clinic-p1', clinicPatient('clinic-p1'))).status, 201);
      const person = cht.docs.get('fhir.Patient.clinic-p1')!;
      assert.deepEqual(person.fhir_identifiers, [{ system: MRN, value: 'MRN-clinic-p1' }]);
      const entry = (await outboundEntries(compileDefinitions(ROOT), {}))[ENTRY_PREFIX];
      const hydrated = hydrate(person as Doc, [...cht.docs.values()] as Doc[]);
      assert.ok(isRelevant(entry, hydrated));
      assert.equal((await push(`${receiver.url}${entry.destination.path}`, mapPayload(entry, ENTRY_PREFIX, hydrated))).status, 200);
      // The in-process FHIR server has no identifier search: read them all.
      const all: Bundle = await fetch(`${fhir.url}/Patient?_count=1000`).then((r) => r.json());
      const found = (all.entry ?? [])
        .map((e) => e.resource as Patient)
        .filter((p) => p.identifier?.some((i) => i.system === MRN && i.value === 'MRN-clinic-p1'));
      assert.equal(found.length, 1, 'one Patient');
      const p = found[0];
      assert.equal(p.id, 'clinic-p1', 'under the clinic id');
      assert.deepEqual(
        p.identifier?.map((i) => i.system),
        [sys.chtId, MRN],
      );
      const { meta: _m, ...plain } = p;
      assertValidR4(plain);
      // The merged Patient coming back (a FHIR server subscription, say) changes nothing in CHT.
      const before = cht.writes;
      const again = await send('PUT', '/fhir/Patient/clinic-p1', plain);
      assert.equal(again.status, 200, again.text);
      assert.equal(cht.writes, before);
    });
    it('a referral names that patient by Patient/<id> or cht-uuid, another by shortcode', async () => {
      const subjects: ServiceRequest['subject'][] = [
        { reference: 'Patient/clinic-p1' },
        { identifier: { system: sys.chtId, value: 'fhir.Patient.clinic-p1' } },
      ];
      for (const [i, subject] of subjects.entries()) {
        const res = await send('PUT', `/fhir/ServiceRequest/by-ref-${i}`, referral(`by-ref-${i}`, subject));
        assert.equal(res.status, 201, res.text);
        assert.equal(recordOf(`by-ref-${i}`)[0].fields.patient_uuid, 'fhir.Patient.clinic-p1');
      }
      const byShortcode = await send('PUT', '/fhir/ServiceRequest/by-code', referral('by-code', { identifier: { system: sys.patientId, value: '20001' } }));
      assert.equal(byShortcode.status, 201, byShortcode.text);
      assert.equal(recordOf('by-code')[0].fields.patient_uuid, 'woman-1');
    });
  });

  describe('2. updates and statuses', () => {
    it('a new Patient version with a new phone updates the CHT person (PUT /medic/<id> with its _rev)', async () => {
      await send('PUT', '/fhir/Patient/clinic-p2', clinicPatient('clinic-p2', { meta: { versionId: '1' } }));
      const res = await send(
        'PUT',
        '/fhir/Patient/clinic-p2',
        clinicPatient('clinic-p2', { meta: { versionId: '2' }, telecom: [{ system: 'phone', value: '+254700111222' }] }),
      );
      assert.equal(res.status, 200, res.text);
      assert.match(res.text, /Updated CHT contact/);
      assert.equal(cht.docs.get('fhir.Patient.clinic-p2')!.phone, '+254700111222');
      assert.equal(cht.calls['PUT /api/v1/person/:id'], undefined, 'the person API cannot take our _id');
    });
    it('an updated referral updates its one record; revoked removes the task, completed resolves it', async () => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const [task] = require(path.join(ROOT, 'tasks.js'));
      const subject = { reference: 'Patient/clinic-p1' };
      assert.equal((await send('PUT', '/fhir/ServiceRequest/upd-1', referral('upd-1', subject))).status, 201);
      assert.equal((await send('PUT', '/fhir/ServiceRequest/upd-1', referral('upd-1', subject, { priority: 'urgent' }))).status, 200);
      assert.equal(recordOf('upd-1').length, 1);
      assert.equal(recordOf('upd-1')[0].fields.priority, 'urgent');
      const contact = { contact: cht.docs.get('fhir.Patient.clinic-p1'), reports: recordOf('upd-1') };
      assert.equal(task.appliesIf(contact, recordOf('upd-1')[0]), true);
      assert.equal((await send('PUT', '/fhir/ServiceRequest/upd-1', referral('upd-1', subject, { status: 'revoked' }))).status, 200);
      assert.equal(recordOf('upd-1')[0].fields.fhir_status, 'revoked');
      assert.equal(task.appliesIf(contact, recordOf('upd-1')[0]), false, 'revoked: no task');
      await send('PUT', '/fhir/ServiceRequest/upd-2', referral('upd-2', subject));
      assert.equal((await send('PUT', '/fhir/ServiceRequest/upd-2', referral('upd-2', subject, { status: 'completed' }))).status, 200);
      const done = recordOf('upd-2')[0];
      assert.equal(task.appliesIf(contact, done) && task.resolvedIf(contact, done), true, 'completed: task done');
      assert.equal(recordOf('upd-2').length, 1);
    });
  });

  it('3. a resend with keys in another order, other whitespace and meta writes nothing', async () => {
    const sr = referral('order-1', { identifier: { system: sys.chtId, value: 'child-1' } });
    assert.equal((await send('POST', '/fhir/ServiceRequest', sr)).status, 201);
    const before = cht.writes;
    const reordered = Object.fromEntries(Object.entries({ ...sr, meta: { lastUpdated: '2026-11-21T00:00:00Z' } }).reverse());
    const res = await send('POST', '/fhir/ServiceRequest', JSON.stringify(reordered, null, 4));
    assert.equal(res.status, 200, res.text);
    assert.equal(cht.writes, before);
  });

  it('4. the ten invalid resources of the issue are refused, naming the element, nothing written', async () => {
    const sr = (over: Record<string, unknown>) => ({ ...referral('bad', { reference: 'Patient/clinic-p1' }), ...over });
    const cases: Array<[string, unknown, RegExp]> = [
      ['/fhir/ServiceRequest', sr({ id: '<script>alert(1)</script>' }), /ServiceRequest\.id/],
      ['/fhir/ServiceRequest', sr({ id: 'a/b' }), /ServiceRequest\.id/],
      ['/fhir/ServiceRequest', sr({ id: 'x'.repeat(65) }), /ServiceRequest\.id/],
      ['/fhir/ServiceRequest', sr({ authoredOn: '2023-02-30' }), /ServiceRequest\.authoredOn/],
      ['/fhir/Patient', { ...clinicPatient('bad-dob'), birthDate: '1990-02-30' }, /Patient\.birthDate/],
      ['/fhir/ServiceRequest', sr({ code: {} }), /ServiceRequest\.code/],
      [
        '/fhir/ServiceRequest',
        sr({ text: { status: 'generated', div: '<div xmlns="http://www.w3.org/1999/xhtml"><script>alert(1)</script></div>' } }),
        /ServiceRequest\.text\.div/,
      ],
      ['/fhir/ServiceRequest', sr({ occurrenceDateTime: '2023-13-01' }), /occurrenceDateTime/],
      ['/fhir/Patient', { ...clinicPatient('bad-2'), birthDate: '2023-04-31' }, /birthDate/],
      ['/fhir/ServiceRequest', sr({ reasonCode: [{}] }), /reasonCode/],
    ];
    const before = cht.writes;
    for (const [p, body, where] of cases) {
      const res = await send('POST', p, body);
      assert.equal(res.status, 422, res.text);
      assert.match(JSON.stringify(res.json().issue.map((i: { expression?: string[] }) => i.expression)), where);
    }
    assert.equal(cht.writes, before);
  });

  it('9. on a CHT holding 1,000,000 docs a referral is found and written by id, with no scan', async () => {
    const big = await startChtStandIn({ forms, docs: sampleContacts(), filler: 1_000_000 });
    const r = await startReceiver({ auth: CREDS, fhirBaseUrl: fhir.url, inbound: { chtUrl: big.urlWithCredentials, model: referenceModel() } });
    try {
      const sr = referral('big-1', { identifier: { system: sys.chtId, value: 'child-1' } });
      const post = () =>
        rawRequest(`${r.url}/fhir/ServiceRequest`, {
          method: 'POST',
          headers: { authorization: AUTH, 'content-type': 'application/fhir+json' },
          body: JSON.stringify(sr),
          timeoutMs: 15000,
        });
      assert.equal((await post()).status, 201);
      assert.equal((await post()).status, 200);
      assert.equal(big.fullScans, 0, 'no _find');
      assert.equal(big.writes, 1);
      assert.equal(big.docs.get('fhir.ServiceRequest.big-1')?.fields.patient_uuid, 'child-1');
    } finally {
      await r.close();
      await big.close();
    }
  });

  describe("6-7. CHT refusals: the login limit is transient, a missing form is reported with CHT's reason", () => {
    it('after 10 failed logins from its IP, CHT answers 429; the receiver answers 503 with Retry-After and stops calling CHT', async () => {
      const locked = await startChtStandIn({ forms, docs: sampleContacts() });
      const r = await startReceiver({ auth: CREDS, fhirBaseUrl: fhir.url, inbound: { chtUrl: locked.urlWithCredentials, model: referenceModel() } });
      try {
        await r.inboundFormsChecked;
        for (let i = 0; i < 10; i++)
          await fetch(`${locked.url}/medic/x`, { headers: { authorization: 'Basic ' + Buffer.from('medic-fhir:wrong').toString('base64') } });
        const calls = () => Object.values(locked.calls).reduce((a, b) => a + b, 0);
        const post = (id: string) =>
          rawRequest(`${r.url}/fhir/ServiceRequest`, {
            method: 'POST',
            headers: { authorization: AUTH, 'content-type': 'application/fhir+json' },
            body: JSON.stringify(referral(id, { identifier: { system: sys.chtId, value: 'child-1' } })),
            timeoutMs: 15000,
          });
        const first = await post('lock-1');
        assert.equal(first.status, 503, first.text);
        assert.ok(Number(first.headers['retry-after']) > 0);
        assert.match(first.text, /429/);
        const seen = calls();
        for (let i = 0; i < 5; i++) assert.equal((await post(`lock-${i + 2}`)).status, 503);
        assert.equal(calls(), seen, 'no call to CHT while it locks this IP out');
        assert.equal(locked.writes, 0);
      } finally {
        await r.close();
        await locked.close();
      }
    });
    it("a JSON form CHT lacks is found at start-up and each record for it answers 422 with CHT's reason", async () => {
      const { REFERRAL: _gone, ...others } = forms;
      const noForm = await startChtStandIn({ forms: others, docs: sampleContacts() });
      const r = await startReceiver({ auth: CREDS, fhirBaseUrl: fhir.url, inbound: { chtUrl: noForm.urlWithCredentials, model: referenceModel() } });
      try {
        assert.deepEqual(await r.inboundFormsChecked, ['REFERRAL']);
        const res = await rawRequest(`${r.url}/fhir/ServiceRequest`, {
          method: 'POST',
          headers: { authorization: AUTH, 'content-type': 'application/fhir+json' },
          body: JSON.stringify(referral('nf-1', { identifier: { system: sys.chtId, value: 'child-1' } })),
          timeoutMs: 15000,
        });
        assert.equal(res.status, 422, res.text);
        assert.match(res.text, /Form not found: REFERRAL/);
        assert.equal(noForm.writes, 0);
      } finally {
        await r.close();
        await noForm.close();
      }
    });
  });

  it('8. check fails when the JSON form lacks a field the receiver writes', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'inb-form-'));
    try {
      fs.cpSync(path.join(ROOT, 'app_settings'), path.join(root, 'app_settings'), { recursive: true });
      const f = path.join(root, 'app_settings/forms.json');
      const json = JSON.parse(fs.readFileSync(f, 'utf8'));
      delete json.REFERRAL.fields.fhir_source;
      delete json.REFERRAL.fields.fhir_version;
      fs.writeFileSync(f, JSON.stringify(json));
      assert.throws(() => compileInbound(root), /lacks the field 'fhir_source' the receiver writes[\s\S]*lacks the field 'fhir_version'/);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  describe('10. the FHIR surface clinics expect', () => {
    it('GET /fhir/metadata lists exactly the mapped interactions (valid R4)', async () => {
      const res = await rawRequest(`${receiver.url}/fhir/metadata`);
      assert.equal(res.status, 200);
      const cs: CapabilityStatement = res.json();
      assertValidR4(cs);
      assert.deepEqual(
        cs.rest![0].resource!.map((r) => [r.type, r.interaction!.map((i) => i.code)]),
        [
          ['Patient', ['create', 'update']],
          ['ServiceRequest', ['create', 'update']],
          ['Task', ['create', 'update']],
        ],
      );
      assert.deepEqual(
        cs.rest![0].interaction!.map((i) => i.code),
        ['transaction', 'batch'],
      );
    });
    it('a transaction Bundle: a Patient and a referral naming it by urn:uuid; a bad entry refuses all', async () => {
      const tx: Bundle = {
        resourceType: 'Bundle',
        type: 'transaction',
        entry: [
          {
            fullUrl: 'urn:uuid:6f1c2a52-3f0e-4d0e-9a51-0d8f2c1b7a11',
            resource: referral('tx-sr', { reference: 'urn:uuid:1f7c1e6a-2b0d-4d5e-8a9c-3e2f1d0c9b8a' }),
            request: { method: 'PUT', url: 'ServiceRequest/tx-sr' },
          },
          { fullUrl: 'urn:uuid:1f7c1e6a-2b0d-4d5e-8a9c-3e2f1d0c9b8a', resource: clinicPatient('tx-p'), request: { method: 'PUT', url: 'Patient/tx-p' } },
        ],
      };
      assertValidR4(tx);
      const bad = JSON.parse(JSON.stringify(tx));
      bad.entry[1].resource.birthDate = '2001-02-29';
      const before = cht.writes;
      const refused = await send('POST', '/fhir', bad);
      assert.equal(refused.status, 422, refused.text);
      assert.match(refused.text, /Bundle\.entry\[1\]\.resource\.birthDate/);
      assert.equal(cht.writes, before);
      const res = await send('POST', '/fhir', tx);
      assert.equal(res.status, 200, res.text);
      const answer: Bundle = res.json();
      assert.equal(answer.type, 'transaction-response');
      assert.deepEqual(
        answer.entry!.map((e) => e.response!.status),
        ['201 Created', '201 Created'],
      );
      assert.equal(recordOf('tx-sr')[0].fields.patient_uuid, 'fhir.Patient.tx-p');
      const batch = await send('POST', '/fhir', {
        ...tx,
        type: 'batch',
        entry: [tx.entry![1], { ...tx.entry![0], request: { method: 'DELETE', url: 'ServiceRequest/tx-sr' } }],
      });
      assert.deepEqual(
        (batch.json() as Bundle).entry!.map((e) => e.response!.status),
        ['200 OK', '400'],
      );
    });
    it('POST without id is idempotent through its identifier (and If-None-Exist)', async () => {
      const { id: _id, ...noId } = referral(
        'x',
        { reference: 'Patient/clinic-p1' },
        { identifier: [{ system: 'https://clinic.example.org/referrals', value: 'REF-9' }] },
      );
      assert.equal((await send('POST', '/fhir/ServiceRequest', noId)).status, 201);
      assert.equal((await send('POST', '/fhir/ServiceRequest', noId)).status, 200);
      const { identifier: _i, ...bare } = noId;
      const a = await send('POST', '/fhir/ServiceRequest', bare, { 'if-none-exist': 'identifier=https://clinic.example.org/referrals|REF-9' });
      assert.equal(a.status, 200, a.text);
      const none = await send('POST', '/fhir/ServiceRequest', bare);
      assert.equal(none.status, 422);
      assert.match(none.text, /needs an identifier/);
      const broken = await send('POST', '/fhir/ServiceRequest', bare, { 'if-none-exist': 'identifier=%E0%A4%A' });
      assert.equal(broken.status, 400, broken.text);
      assert.match(broken.text, /percent-encoded/);
      // In a batch, the entry's request.ifNoneExist names it as the header does.
      const batch = await send('POST', '/fhir', {
        resourceType: 'Bundle',
        type: 'batch',
        entry: [{ resource: bare, request: { method: 'POST', url: 'ServiceRequest', ifNoneExist: 'identifier=https://clinic.example.org/referrals|REF-9' } }],
      });
      assert.deepEqual(
        (batch.json() as Bundle).entry!.map((e) => e.response!.status),
        ['200 OK'],
      );
    });
    it('reported_date is authoredOn; the official name wins over a nickname; birthDate 1987 stays 1987', async () => {
      await send('PUT', '/fhir/ServiceRequest/when-1', referral('when-1', { reference: 'Patient/clinic-p1' }, { authoredOn: '2026-10-01T08:30:00Z' }));
      assert.equal(recordOf('when-1')[0].reported_date, Date.parse('2026-10-01T08:30:00Z'));
      const p = clinicPatient('names-1', {
        birthDate: '1987',
        name: [
          { use: 'nickname', text: 'Kiki' },
          { use: 'official', given: ['Akinyi'], family: 'Were' },
        ],
      });
      assert.equal((await send('PUT', '/fhir/Patient/names-1', p)).status, 201);
      const person = cht.docs.get('fhir.Patient.names-1')!;
      assert.equal(person.name, 'Akinyi Were');
      assert.equal(person.date_of_birth, '1987');
    });
  });
});
