import http from 'node:http';
import { strict as assert } from 'node:assert';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Patient, ServiceRequest } from 'fhir/r4';
import { startFhirServer, type FhirServer } from '../../src/doubles/fhir-store';
import { startReceiver, type Receiver } from '../../src/runtime/receiver';
import { compileDefinitions } from '../../src/compiler/definitions/compile';
import { resourceId, systems } from '../../src/core/identity';
import { ROOT, referenceModel, referenceModelAt } from '../../harness/repo';
import { startChtStandIn, type ChtStandIn } from '../../harness/stand-ins/cht-api';
import { sampleContacts } from '../../harness/samples';
import { CREDS, AUTH } from '../../harness/receiver-stack';
import { basic, rawRequest } from '../../harness/stand-ins/raw-http';

describe('FHIR -> CHT (receiver inbound endpoints)', function () {
  this.timeout(60000);
  let fhir: FhirServer;
  let cht: ChtStandIn;
  let receiver: Receiver;
  const { model } = compileDefinitions(ROOT);
  const chtIdSystem = systems(model.deployment).chtId;
  const forms = JSON.parse(fs.readFileSync(path.join(ROOT, 'app_settings/forms.json'), 'utf8'));
  const patientRef = (chtId: string) => ({
    reference: `Patient/${resourceId(model.deployment, 'Patient', chtId)}`,
    identifier: { system: chtIdSystem, value: chtId },
  });

  const referral = (over: Partial<ServiceRequest> = {}): ServiceRequest => ({
    resourceType: 'ServiceRequest',
    id: 'sr-' + Math.random().toString(36).slice(2, 10),
    status: 'active',
    intent: 'order',
    subject: patientRef('child-1'),
    reasonCode: [{ text: 'Fast breathing' }],
    ...over,
  });

  async function start(root?: string) {
    receiver = await startReceiver({ auth: CREDS, fhirBaseUrl: fhir.url, inbound: { chtUrl: cht.urlWithCredentials, model: referenceModelAt(root) } });
  }
  before(async () => {
    fhir = await startFhirServer();
    cht = await startChtStandIn({ forms, docs: sampleContacts() });
    await start();
  });
  after(async () => {
    await receiver.close();
    await cht.close();
    await fhir.close();
  });
  afterEach(() => (cht.mode = 'ok'));

  const send = (method: string, p: string, body: unknown, headers: Record<string, string> = {}) =>
    rawRequest(`${receiver.url}${p}`, {
      method,
      headers: { authorization: AUTH, 'content-type': 'application/fhir+json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
      timeoutMs: 15000,
    });

  /** Sends and checks: the status, an OperationOutcome body, and that CHT got no write. */
  async function refused(method: string, p: string, body: unknown, status: number, text: RegExp, headers?: Record<string, string>) {
    const before = cht.writes;
    const res = await send(method, p, body, headers);
    assert.equal(res.status, status, res.text);
    assert.equal(res.json().resourceType, 'OperationOutcome');
    assert.match(res.text, text);
    assert.equal(cht.writes, before, 'nothing written to CHT');
  }

  it('creates one record per referral and answers 201; PUT works too', async () => {
    const sr = referral();
    const res = await send('PUT', `/fhir/ServiceRequest/${sr.id}`, sr);
    assert.equal(res.status, 201, res.text);
    const rec = [...cht.docs.values()].find((d) => d.fields?.service_request === `ServiceRequest/${sr.id}`);
    assert.equal(rec?.fields.patient_uuid, 'child-1');
  });

  it('ten concurrent copies of one referral make one record', async () => {
    const sr = referral();
    const before = cht.writes;
    const answers = await Promise.all(Array.from({ length: 10 }, () => send('POST', '/fhir/ServiceRequest', sr)));
    assert.deepEqual(answers.map((a) => a.status).sort(), [200, 200, 200, 200, 200, 200, 200, 200, 200, 201]);
    assert.equal(cht.writes, before + 1);
  });

  it('a new version of the referral updates its record; a resent version writes nothing', async () => {
    const sr = referral({ meta: { versionId: '1' } });
    assert.equal((await send('POST', '/fhir/ServiceRequest', sr)).status, 201);
    const before = cht.writes;
    assert.equal((await send('POST', '/fhir/ServiceRequest', { ...sr, meta: { versionId: '1' } })).status, 200);
    assert.equal(cht.writes, before);
    assert.equal((await send('POST', '/fhir/ServiceRequest', { ...sr, meta: { versionId: '2' }, priority: 'urgent' })).status, 200);
    const records = [...cht.docs.values()].filter((d) => d.fields?.service_request === `ServiceRequest/${sr.id}`);
    assert.equal(records.length, 1);
    assert.equal(records[0].fields.priority, 'urgent');
  });

  it('a Patient registered elsewhere becomes a CHT person in the place it names, once', async () => {
    const p: Patient = {
      resourceType: 'Patient',
      id: 'clinic-patient-7',
      name: [{ given: ['Akinyi'], family: 'Were' }],
      gender: 'female',
      birthDate: '2001-05-06',
      telecom: [{ system: 'phone', value: '+254733000333' }],
      managingOrganization: {
        reference: `Organization/${resourceId(model.deployment, 'Organization', 'hh-1')}`,
        identifier: { system: chtIdSystem, value: 'hh-1' },
      },
    };
    const res = await send('PUT', '/fhir/Patient/clinic-patient-7', p);
    assert.equal(res.status, 201, res.text);
    const person = [...cht.docs.values()].find((d) => d.fhir_source === 'Patient/clinic-patient-7');
    assert.equal(person?.name, 'Akinyi Were');
    assert.equal(person?.parent._id, 'hh-1');
    assert.equal(person?.sex, 'female');
    assert.equal((await send('PUT', '/fhir/Patient/clinic-patient-7', p)).status, 200);
  });

  it('ignores, with 200, a resource the mappings filter out, or a closed one CHT never had', async () => {
    const before = cht.writes;
    const res = await send('POST', '/fhir/ServiceRequest', referral({ intent: 'directive' }));
    assert.equal(res.status, 200);
    assert.match(res.text, /matches no inbound mapping's 'where'/);
    const closed = await send('POST', '/fhir/ServiceRequest', referral({ status: 'completed' }));
    assert.equal(closed.status, 200);
    assert.match(closed.text, /is completed and has no CHT record/);
    assert.equal(cht.writes, before);
  });

  describe('bad input: a precise 4xx and nothing written', () => {
    it('wrong resource type, id mismatch, no id, not an object', async () => {
      await refused('POST', '/fhir/ServiceRequest', { ...referral(), resourceType: 'Patient' }, 400, /the URL says ServiceRequest/);
      await refused('PUT', '/fhir/ServiceRequest/abc', referral(), 400, /does not match the URL's 'abc'/);
      await refused('POST', '/fhir/ServiceRequest', { ...referral(), id: undefined }, 422, /needs an id/);
      await refused('POST', '/fhir/ServiceRequest', [referral()], 400, /must be a FHIR resource/);
      await refused('POST', '/fhir/ServiceRequest', '{"resourceType":', 400, /JSON/);
    });
    it('invalid FHIR', async () => {
      await refused('POST', '/fhir/ServiceRequest', referral({ status: 'bogus' as ServiceRequest['status'] }), 422, /status/);
      await refused('POST', '/fhir/ServiceRequest', { ...referral(), authoredOn: '26/11/2026' }, 422, /authoredOn/);
    });
    it('a type no mapping takes', async () => {
      await refused(
        'POST',
        '/fhir/Observation',
        { resourceType: 'Observation', id: 'o1', status: 'final', code: { text: 'x' } },
        422,
        /No inbound mapping takes Observation/,
      );
    });
    it('unknown patients: no identifier, not in the FHIR store, not in CHT, or a place', async () => {
      await refused('POST', '/fhir/ServiceRequest', referral({ subject: { reference: 'Patient/nobody' } }), 422, /does not lead to a contact CHT knows/);
      await refused(
        'POST',
        '/fhir/ServiceRequest',
        referral({ subject: { identifier: { system: chtIdSystem, value: 'ghost' } } }),
        422,
        /patient ghost is not in CHT/,
      );
      await refused(
        'POST',
        '/fhir/ServiceRequest',
        referral({ subject: { identifier: { system: chtIdSystem, value: 'hh-1' } } }),
        422,
        /patient hh-1 is not a person in CHT/,
      );
      await refused('POST', '/fhir/ServiceRequest', referral({ subject: { reference: 'Group/g1' } }), 422, /does not lead to a contact/);
    });
    it('a required value missing', async () => {
      await refused(
        'PUT',
        '/fhir/Patient/p-no-name',
        { resourceType: 'Patient', id: 'p-no-name', managingOrganization: { identifier: { system: chtIdSystem, value: 'hh-1' } } },
        422,
        /field 'name' .* gives no value, and it is required/,
      );
      await refused('POST', '/fhir/ServiceRequest', { ...referral(), subject: undefined }, 422, /subject/);
    });
    it('FHIRPath giving several values where one is expected', async () => {
      const root = fs.mkdtempSync(path.join(os.tmpdir(), 'inb-'));
      fs.cpSync(path.join(ROOT, 'app_settings'), path.join(root, 'app_settings'), { recursive: true });
      fs.cpSync(path.join(ROOT, 'forms'), path.join(root, 'forms'), { recursive: true });
      const f = path.join(root, 'app_settings/fhir/inbound/referral.json');
      const def = JSON.parse(fs.readFileSync(f, 'utf8'));
      def.fields.reason = 'reasonCode.text';
      fs.writeFileSync(f, JSON.stringify(def));
      await receiver.close();
      await start(root);
      try {
        await refused(
          'POST',
          '/fhir/ServiceRequest',
          referral({ reasonCode: [{ text: 'a' }, { text: 'b' }] }),
          422,
          /field 'reason' \(reasonCode\.text\) gives 2 values where one is expected/,
        );
      } finally {
        await receiver.close();
        await start();
        fs.rmSync(root, { recursive: true, force: true });
      }
    });
    it('wrong or missing credentials: 401', async () => {
      await refused('POST', '/fhir/ServiceRequest', referral(), 401, /credentials/, { authorization: basic('cht', 'wrong') });
      const res = await rawRequest(`${receiver.url}/fhir/ServiceRequest`, {
        method: 'POST',
        headers: { 'content-type': 'application/fhir+json' },
        body: JSON.stringify(referral()),
      });
      assert.equal(res.status, 401);
    });
    it('unknown paths and methods', async () => {
      await refused('POST', '/fhir/service-request', referral(), 404, /No FHIR endpoint/);
      await refused('DELETE', '/fhir/ServiceRequest/x', undefined, 405, /not allowed/);
      await refused('POST', '/fhir/ServiceRequest/x', referral(), 405, /not allowed/);
    });
  });

  describe('CHT unreachable: 5xx so OpenHIM retries, nothing half-written', () => {
    for (const mode of ['down', 'error'] as const) {
      it(`CHT ${mode}`, async () => {
        cht.mode = mode;
        const sr = referral();
        await refused('POST', '/fhir/ServiceRequest', sr, 502, /retry later/);
        cht.mode = 'ok';
        assert.equal((await send('POST', '/fhir/ServiceRequest', sr)).status, 201, 'delivered once CHT is back');
      });
    }
    it('a FHIR server refusing the receiver (401/403) during patient lookup is a 502 naming the credentials, never an unknown patient', async () => {
      for (const status of [401, 403]) {
        const refusing = http.createServer((_req, res) =>
          res
            .writeHead(status, { 'content-type': 'application/fhir+json' })
            .end(JSON.stringify({ resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'login' }] })),
        );
        await new Promise<void>((ok) => refusing.listen(0, '127.0.0.1', ok));
        await receiver.close();
        receiver = await startReceiver({
          auth: CREDS,
          fhirBaseUrl: `http://127.0.0.1:${(refusing.address() as { port: number }).port}/fhir`,
          inbound: { chtUrl: cht.urlWithCredentials, model: referenceModel() },
        });
        try {
          await refused(
            'POST',
            '/fhir/ServiceRequest',
            referral({ subject: { reference: 'Patient/nobody' } }),
            502,
            /refused the receiver's credentials \(set FHIR_USERNAME and FHIR_PASSWORD\)/,
          );
        } finally {
          await receiver.close();
          await new Promise((ok) => refusing.close(ok));
          await start();
        }
      }
    });
    it('wrong CHT credentials are a 503 naming CHT_URL, without the password, with Retry-After', async () => {
      await receiver.close();
      receiver = await startReceiver({
        auth: CREDS,
        fhirBaseUrl: fhir.url,
        inbound: { chtUrl: cht.url.replace('http://', 'http://medic-fhir:WRONGpw@'), model: referenceModel() },
      });
      try {
        const res = await send('POST', '/fhir/ServiceRequest', referral());
        assert.equal(res.status, 503);
        assert.equal(res.headers['retry-after'], '10');
        assert.match(res.text, /check CHT_URL/);
        assert.doesNotMatch(res.text, /WRONGpw/);
      } finally {
        await receiver.close();
        await start();
      }
    });
  });
});
