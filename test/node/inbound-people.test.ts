import { strict as assert } from 'node:assert';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { Patient, ServiceRequest } from 'fhir/r4';
import { startFhirServer, type FhirServer } from '../../src/doubles/fhir-store';
import { startReceiver, type Receiver } from '../../src/runtime/receiver';
import { recordDoc } from '../../src/runtime/receiver/inbound/cht-docs';
import { resourceId, systems } from '../../src/core/identity';
import type { ReceiverModel } from '../../src/core/receiver-model';
import { ROOT, referenceModel } from '../../harness/repo';
import { startChtStandIn, type ChtStandIn } from '../../harness/stand-ins/cht-api';
import { sampleContacts } from '../../harness/samples';
import { CREDS, AUTH } from '../../harness/receiver-stack';
import { rawRequest } from '../../harness/stand-ins/raw-http';
import { startReceiverProcess } from '../../harness/stand-ins/receiver-process';

/**
 * Issue 20: FHIR -> CHT against the CHT stand-in that keeps to cht-core's
 * source. People are written straight to CouchDB under the `_id` derived
 * from the FHIR source (the person API refuses any `_id`), shaped as
 * cht-datasource would store them, on a CHT with the person API (5.2+) and
 * without (4.x), with declared contact_types and with CHT's built-in ones.
 */
const forms = JSON.parse(fs.readFileSync(path.join(ROOT, 'app_settings/forms.json'), 'utf8'));
const MRN = 'https://clinic.example.org/mrn';

const variants: Array<{ name: string; personApi: boolean; model: () => ReceiverModel; stored: { type: string; contact_type?: string } }> = [
  { name: 'CHT 5.2+, contact_types declared', personApi: true, model: referenceModel, stored: { type: 'contact', contact_type: 'person' } },
  {
    name: 'CHT 4.x (no person API), built-in contact types',
    personApi: false,
    model: () => ({ ...referenceModel(), contactTypes: undefined }),
    stored: { type: 'person' },
  },
];

for (const v of variants) {
  describe(`FHIR -> CHT people on ${v.name}`, function () {
    this.timeout(60000);
    let fhir: FhirServer;
    let cht: ChtStandIn;
    let a: Receiver;
    let b: Receiver;
    const model = v.model();
    const sys = systems(model.outbound.deployment);
    const org = (id: string) => ({
      reference: `Organization/${resourceId(model.outbound.deployment, 'Organization', id)}`,
      identifier: { system: sys.chtId, value: id },
    });
    const patient = (id: string, version: string, over: Partial<Patient> = {}): Patient => ({
      resourceType: 'Patient',
      id,
      meta: { versionId: version },
      identifier: [{ system: MRN, value: `MRN-${id}` }],
      name: [{ use: 'official', given: ['Akinyi'], family: 'Were' }],
      gender: 'female',
      birthDate: '2001-05-06',
      telecom: [{ system: 'phone', value: '+254733000333' }],
      managingOrganization: org('hh-1'),
      ...over,
    });
    const referral = (id: string, subject: ServiceRequest['subject']): ServiceRequest => ({
      resourceType: 'ServiceRequest',
      id,
      status: 'active',
      intent: 'order',
      subject,
      reasonCode: [{ text: 'Fast breathing' }],
      authoredOn: '2026-11-20T09:00:00Z',
    });
    const put = (r: Receiver, body: Patient | ServiceRequest) =>
      rawRequest(`${r.url}/fhir/${body.resourceType}/${body.id}`, {
        method: 'PUT',
        headers: { authorization: AUTH, 'content-type': 'application/fhir+json' },
        body: JSON.stringify(body),
        timeoutMs: 15000,
      });

    before(async () => {
      fhir = await startFhirServer();
      cht = await startChtStandIn({ forms, docs: sampleContacts(), personApi: v.personApi, contactTypes: model.contactTypes });
      const inbound = { chtUrl: cht.urlWithCredentials, model };
      a = await startReceiver({ auth: CREDS, fhirBaseUrl: fhir.url, inbound });
      b = await startReceiver({ auth: CREDS, fhirBaseUrl: fhir.url, inbound });
    });
    after(async () => {
      await a.close();
      await b.close();
      await cht.close();
      await fhir.close();
    });

    it('a clinic Patient becomes the person CHT would store, under its deterministic _id; a resend writes nothing', async () => {
      const res = await put(a, patient('p1', '1'));
      assert.equal(res.status, 201, res.text);
      const doc = cht.docs.get('fhir.Patient.p1')!;
      assert.deepEqual([doc.type, doc.contact_type], [v.stored.type, v.stored.contact_type]);
      assert.deepEqual(doc.parent, { _id: 'hh-1', parent: { _id: 'hc-1', parent: { _id: 'dh-1' } } }, 'the minified lineage');
      assert.equal(typeof doc.reported_date, 'number');
      assert.deepEqual([doc.name, doc.sex, doc.date_of_birth, doc.phone], ['Akinyi Were', 'female', '2001-05-06', '+254733000333']);
      assert.deepEqual(doc.fhir_identifiers, [{ system: MRN, value: 'MRN-p1' }]);
      assert.equal(cht.calls['POST /api/v1/person'], undefined);
      const writes = cht.writes;
      assert.equal((await put(b, patient('p1', '1'))).status, 200);
      assert.equal(cht.writes, writes);
    });

    it('two new versions through two receivers at once end with the newer; a CHT edit in between is kept', async () => {
      // A CHT user edits the person between the receiver's read and its write, once: CouchDB answers 409.
      let edited = false;
      cht.beforePut = (id) => {
        if (id !== 'fhir.Patient.p1' || edited) return;
        edited = true;
        const d = cht.docs.get(id)!;
        cht.docs.set(id, { ...d, role: 'patient', _rev: `${Number(d._rev.split('-')[0]) + 1}-useredit` });
      };
      const [r2, r3] = await Promise.all([
        put(a, patient('p1', '2', { telecom: [{ system: 'phone', value: '+254700000002' }] })),
        put(b, patient('p1', '3', { telecom: [{ system: 'phone', value: '+254700000003' }] })),
      ]);
      cht.beforePut = undefined;
      assert.ok(edited);
      assert.ok(
        [r2.status, r3.status].every((s) => s === 200),
        `${r2.text} ${r3.text}`,
      );
      const doc = cht.docs.get('fhir.Patient.p1')!;
      assert.deepEqual([doc.phone, doc.fhir_version, doc.role], ['+254700000003', 'v3', 'patient']);
      assert.deepEqual([doc.type, doc.contact_type], [v.stored.type, v.stored.contact_type], 'type unchanged');
      assert.deepEqual(doc.parent, { _id: 'hh-1', parent: { _id: 'hc-1', parent: { _id: 'dh-1' } } }, 'lineage unchanged');
      // The older version arriving late changes nothing.
      const writes = cht.writes;
      assert.equal((await put(a, patient('p1', '2'))).status, 200);
      assert.equal(cht.writes, writes);
    });

    it('a move to another place is refused with 409, and a place CHT does not allow with 422; nothing written', async () => {
      const writes = cht.writes;
      const moved = await put(a, patient('p1', '4', { managingOrganization: org('hh-2') }));
      assert.equal(moved.status, 409, moved.text);
      assert.match(moved.text, /move/);
      const underPerson = await put(a, patient('p-bad', '1', { managingOrganization: { identifier: { system: sys.chtId, value: 'woman-1' } } }));
      assert.equal(underPerson.status, 422, underPerson.text);
      const noName = await put(a, patient('p-bad2', '1', { name: [{ use: 'official', text: ' ' }] }));
      assert.equal(noName.status, 422, noName.text);
      assert.equal(cht.writes, writes);
    });

    it('a referral for a patient the FHIR server has and CHT does not: the person is created, then the record', async () => {
      const p = patient('p-new', '1');
      await fetch(`${fhir.url}/Patient/p-new`, { method: 'PUT', headers: { 'content-type': 'application/fhir+json' }, body: JSON.stringify(p) });
      const res = await put(a, referral('sr-new', { reference: 'Patient/p-new' }));
      assert.equal(res.status, 201, res.text);
      assert.equal(cht.docs.get('fhir.Patient.p-new')?.name, 'Akinyi Were');
      assert.equal(cht.docs.get('fhir.ServiceRequest.sr-new')?.fields.patient_uuid, 'fhir.Patient.p-new');
      const writes = cht.writes;
      const unknown = await put(a, referral('sr-nobody', { reference: 'Patient/nobody' }));
      assert.equal(unknown.status, 422, unknown.text);
      assert.equal(cht.writes, writes);
    });

    it("a record is the doc CHT's records service builds for the same input", async () => {
      const res = await put(a, referral('sr-shape', { identifier: { system: sys.chtId, value: 'child-1' } }));
      assert.equal(res.status, 201, res.text);
      const mine = cht.docs.get('fhir.ServiceRequest.sr-shape')!;
      const { _id, _rev, ...fields } = { _id: 0, _rev: 0, ...mine.fields };
      const viaApi = await fetch(`${cht.url}/api/v2/records`, {
        method: 'POST',
        headers: { authorization: 'Basic ' + Buffer.from('medic-fhir:S3cret!pass').toString('base64'), 'content-type': 'application/json' },
        body: JSON.stringify({ _meta: { form: 'REFERRAL', reported_date: mine.reported_date }, ...fields }),
      }).then((r) => r.json() as Promise<{ id: string }>);
      const theirs = cht.docs.get(viaApi.id)!;
      const strip = (d: Record<string, unknown>) => Object.fromEntries(Object.entries(d).filter(([k]) => k !== '_id' && k !== '_rev'));
      assert.deepEqual(strip(mine), strip(theirs));
      // A required field missing: the same error entry, {code, message}.
      const form = { fields: { a: { type: 'string', required: true }, n: { type: 'integer' } } };
      const doc = recordDoc('x', 'F', form, { n: 'two' }, 1);
      assert.deepEqual(doc.errors, [
        { code: 'sys.incorrect_type', message: 'Incorrect type of field n, expected integer.' },
        { code: 'sys.missing_fields', message: 'Missing or invalid fields: a.' },
      ]);
    });

    it("a form removed from CHT's settings is refused from the next record on, with no cache to wait for", async () => {
      const before = cht.forms;
      const { REFERRAL: _gone, ...others } = before;
      cht.forms = others;
      try {
        const writes = cht.writes;
        const res = await put(a, referral('sr-noform', { identifier: { system: sys.chtId, value: 'child-1' } }));
        assert.equal(res.status, 422, res.text);
        assert.match(res.text, /Form not found: REFERRAL/);
        assert.equal(cht.writes, writes);
      } finally {
        cht.forms = before;
      }
      assert.equal((await put(a, referral('sr-noform', { identifier: { system: sys.chtId, value: 'child-1' } }))).status, 201);
    });
  });
}

describe('receiver: a wrong password with a large body', function () {
  this.timeout(120000);
  it('every Node client uploading 6 MB or 30 MB gets the 401, none a broken pipe (the compiled receiver, its own process)', async () => {
    const fhir = await startFhirServer();
    const r = await startReceiverProcess(fhir.url);
    try {
      const one = (body: Buffer, headers: Record<string, string>) =>
        new Promise<string>((resolve) => {
          const req = http.request(`${r.url}/cht-fhir/push`, {
            method: 'POST',
            agent: false,
            headers: {
              ...headers,
              authorization: 'Basic ' + Buffer.from('cht:wrong').toString('base64'),
              'content-type': 'application/json',
              'content-length': body.length,
            },
          });
          req.on('response', (res) => {
            res.resume();
            res.on('end', () => resolve(String(res.statusCode)));
          });
          req.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
          req.end(body);
        });
      // Before the fix: 30 MB gave EPIPE to most clients, 6 MB with Connection: close to some.
      for (const mb of [6, 30])
        for (const headers of [{}, { connection: 'close' }] as Array<Record<string, string>>) {
          const body = Buffer.alloc(mb * 1024 * 1024, 'a');
          const answers = await Promise.all(Array.from({ length: 10 }, () => one(body, headers)));
          assert.deepEqual(answers, Array(10).fill('401'), `${mb} MB ${JSON.stringify(headers)}`);
        }
    } finally {
      await r.stop();
      await fhir.close();
    }
  });
});
