import { strict as assert } from 'node:assert';
import http from 'node:http';
import { assertValidR4, preloadR4Definitions } from '../../src/fhir-validation';
import { startFhirServer } from '../../src/doubles/fhir-store';
import { jsonLogger } from '../../src/runtime/receiver';
import { patientDoc, pushDocs, reportDoc } from '../../harness/stand-ins/push-bundles';
import { basic, rawRequest } from '../../harness/stand-ins/raw-http';
import { FhirClient, type FhirCall } from '../../src/runtime/receiver/fhir-client';
import { deliver } from '../../src/runtime/receiver/deliver';
import { AUTH, expectedResources, mapLimit, push, startStack, storedResources, versionCount, withoutMeta, type Stack } from '../../harness/receiver-stack';

describe('receiver: POST /cht-fhir/push over HTTP against the FHIR server', function () {
  this.timeout(60000);
  before(() => preloadR4Definitions());

  describe('delivery', () => {
    let stack: Stack;
    beforeEach(async () => (stack = await startStack()));
    afterEach(() => stack.close());

    it('a CHT push ({"bundle": ...}) lands as valid resources, urn:uuid references made literal', async () => {
      const doc = reportDoc(1);
      const res = await push(stack.pushUrl, doc.body);
      assert.equal(res.status, 200, res.text);
      assert.equal(res.json().resourceType, 'OperationOutcome');
      const stored = await storedResources(stack.fhir.repo);
      assert.deepEqual([...stored.keys()].sort(), [...doc.keys].sort());
      for (const r of stored.values()) assertValidR4(r);
      const expected = expectedResources([doc]);
      for (const [key, r] of stored) assert.deepEqual(withoutMeta(r), expected.get(key));
      const obs = [...stored.values()].find((r) => r.resourceType === 'Observation')!;
      assert.match((obs as { encounter: { reference: string } }).encounter.reference, /^Encounter\/[0-9a-f-]{36}$/);
    });

    it('a bare Bundle is accepted too', async () => {
      const res = await push(stack.pushUrl, patientDoc(2).body.bundle);
      assert.equal(res.status, 200, res.text);
      assert.equal((await storedResources(stack.fhir.repo)).size, 1);
    });

    it('a report pushed before its patient lands, and links up when the patient arrives', async () => {
      const report = reportDoc(3);
      const patient = patientDoc(3);
      assert.equal((await push(stack.pushUrl, report.body)).status, 200);
      const subject = (await stack.fhir.repo.readResource('Encounter', report.keys[0].split('/')[1])) as { subject: { reference: string } };
      await assert.rejects(stack.fhir.repo.readReference(subject.subject));
      assert.equal((await push(stack.pushUrl, patient.body)).status, 200);
      const linked = await stack.fhir.repo.readReference(subject.subject);
      assert.equal(linked.id, patient.keys[0].split('/')[1]);
    });

    it('a repeated push changes nothing (no new version); a changed push writes only what changed', async () => {
      const doc = reportDoc(4);
      for (let i = 0; i < 3; i++) assert.equal((await push(stack.pushUrl, doc.body)).status, 200);
      for (const key of doc.keys) assert.equal(await versionCount(stack.fhir.repo, key), 1, key);
      const edited = JSON.parse(JSON.stringify(doc.body));
      edited.bundle.entry[1].resource.valueQuantity.value = 99;
      const res = await push(stack.pushUrl, edited);
      assert.match(res.json().issue[0].details.text, /1 written, 2 already up to date/);
      assert.deepEqual(await Promise.all(doc.keys.map((k) => versionCount(stack.fhir.repo, k))), [1, 2, 1]);
    });

    it('the same 1,000 pushes sent three times leave exactly the resources of one pass', async () => {
      const docs = pushDocs(1000);
      const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
      const statuses: number[] = [];
      for (let pass = 0; pass < 3; pass++) {
        const results = await mapLimit(docs, 16, (d) => push(stack.pushUrl, d.body, agent));
        statuses.push(...results.map((r) => r.status));
      }
      agent.destroy();
      assert.deepEqual([...new Set(statuses)], [200]);
      const expected = expectedResources(docs);
      const stored = await storedResources(stack.fhir.repo);
      assert.equal(stored.size, expected.size);
      assert.equal(expected.size, 500 + 500 * 3);
      for (const [key, r] of stored) assert.deepEqual(withoutMeta(r), expected.get(key), key);
      const versions = await Promise.all([...expected.keys()].map((k) => versionCount(stack.fhir.repo, k)));
      assert.deepEqual([...new Set(versions)], [1]);
    });

    it('every FHIR call is recorded with its request and answer as JSON text (what OpenHIM orchestrations carry)', async () => {
      const client = new FhirClient({ baseUrl: stack.fhir.url });
      const doc = patientDoc(9);
      const calls: FhirCall[] = [];
      const pushed = doc.body.bundle.entry!.map((e) => ({ type: e.resource!.resourceType, id: e.resource!.id!, resource: e.resource! }));
      await deliver(client, pushed, { deadline: Date.now() + 5000, calls });
      client.close();
      assert.deepEqual(
        calls.map((c) => [c.name, c.status]),
        [
          ['FHIR read (batch)', 200],
          ['FHIR transaction', 200],
        ],
      );
      const [read, tx] = calls.map((c) => ({ request: JSON.parse(c.requestBody), response: JSON.parse(c.responseBody!) }));
      assert.deepEqual(read.request.entry, [{ request: { method: 'GET', url: doc.keys[0] } }]);
      assert.equal(read.response.type, 'batch-response');
      assert.deepEqual(withoutMeta(tx.request.entry[0].resource), withoutMeta(doc.body.bundle.entry![0].resource));
      assert.equal(tx.response.type, 'transaction-response');
    });

    it('concurrent identical pushes of one doc, and of docs sharing resources, still leave one version', async () => {
      const doc = patientDoc(5);
      const report = reportDoc(5);
      const reportAndPatient = { bundle: { ...report.body.bundle, entry: [...report.body.bundle.entry!, ...doc.body.bundle.entry!] } };
      await Promise.all([push(stack.pushUrl, reportAndPatient), push(stack.pushUrl, report.body), push(stack.pushUrl, reportAndPatient)]);
      for (const key of report.keys) assert.equal(await versionCount(stack.fhir.repo, key), 1, key);
      const results = await Promise.all(Array.from({ length: 20 }, () => push(stack.pushUrl, doc.body)));
      assert.deepEqual([...new Set(results.map((r) => r.status))], [200]);
      assert.equal(await versionCount(stack.fhir.repo, doc.keys[0]), 1);
    });
  });

  describe('credentials', () => {
    let stack: Stack;
    before(async () => (stack = await startStack()));
    after(() => stack.close());

    const cases: [string, Record<string, string>][] = [
      ['no Authorization header', {}],
      ['wrong password', { authorization: basic('cht', 'wrong') }],
      ['wrong user', { authorization: basic('admin', 's3cret-pass') }],
      ['empty credentials', { authorization: basic('', '') }],
      ['not Basic', { authorization: 'Bearer abc' }],
      ['garbage Basic', { authorization: 'Basic !!!' }],
      ['password prefix only', { authorization: basic('cht', 's3cret') }],
    ];
    for (const [name, headers] of cases) {
      it(`${name}: 401 with WWW-Authenticate, nothing written`, async () => {
        const res = await rawRequest(stack.pushUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...headers },
          body: JSON.stringify(patientDoc(6).body),
        });
        assert.equal(res.status, 401);
        assert.match(String(res.headers['www-authenticate']), /^Basic realm="cht-fhir"/);
        assert.equal(res.json().resourceType, 'OperationOutcome');
        assert.equal((await storedResources(stack.fhir.repo)).size, 0);
      });
    }
  });

  describe('FHIR server down or failing', () => {
    it('unreachable FHIR server: 502 with an OperationOutcome, well within 8 s', async () => {
      const dead = await startFhirServer();
      await dead.close();
      const stack = await startStack({ fhirBaseUrl: dead.url });
      try {
        const res = await push(stack.pushUrl, patientDoc(7).body);
        assert.equal(res.status, 502);
        assert.equal(res.json().issue[0].code, 'transient');
      } finally {
        await stack.close();
      }
    });

    it('FHIR server that never answers: 504 once the deadline passes', async () => {
      const sockets: import('node:net').Socket[] = [];
      const silent = http.createServer(() => undefined);
      silent.on('connection', (s) => sockets.push(s));
      await new Promise<void>((ok) => silent.listen(0, '127.0.0.1', ok));
      const port = (silent.address() as import('node:net').AddressInfo).port;
      const stack = await startStack({ fhirBaseUrl: `http://127.0.0.1:${port}/fhir/R4`, deadlineMs: 300 });
      try {
        const res = await push(stack.pushUrl, patientDoc(8).body);
        assert.equal(res.status, 504);
        assert.equal(res.json().issue[0].code, 'timeout');
      } finally {
        await stack.close();
        for (const s of sockets) s.destroy();
        await new Promise((ok) => silent.close(ok));
      }
    });

    it('FHIR server answering 500: 502, and a FHIR server rejecting the content: 422 with its issues', async () => {
      let status = 500;
      const fake = http.createServer((req, res) => {
        req.resume();
        req.on('end', () => {
          res.writeHead(status, { 'content-type': 'application/fhir+json' });
          res.end(
            JSON.stringify({ resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'processing', details: { text: 'upstream says no' } }] }),
          );
        });
      });
      await new Promise<void>((ok) => fake.listen(0, '127.0.0.1', ok));
      const port = (fake.address() as import('node:net').AddressInfo).port;
      const stack = await startStack({ fhirBaseUrl: `http://127.0.0.1:${port}/fhir/R4` });
      try {
        assert.equal((await push(stack.pushUrl, patientDoc(9).body)).status, 502);
        status = 400;
        const res = await push(stack.pushUrl, patientDoc(9).body);
        assert.equal(res.status, 422);
        assert.ok(res.json().issue.some((i: { details?: { text?: string } }) => i.details?.text === 'upstream says no'));
      } finally {
        await stack.close();
        await new Promise((ok) => fake.close(ok));
      }
    });
  });

  describe('CORS for the browser outbox', () => {
    let stack: Stack;
    before(async () => (stack = await startStack({ corsOrigins: ['https://cht.example.org'] })));
    after(() => stack.close());

    it('answers the preflight of an allowed origin, allowing Authorization', async () => {
      const res = await rawRequest(stack.pushUrl, {
        method: 'OPTIONS',
        headers: {
          origin: 'https://cht.example.org',
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'authorization, content-type',
        },
      });
      assert.equal(res.status, 204);
      assert.equal(res.headers['access-control-allow-origin'], 'https://cht.example.org');
      assert.match(String(res.headers['access-control-allow-headers']), /Authorization/);
      assert.match(String(res.headers['access-control-allow-methods']), /POST/);
    });

    it('refuses the preflight of another origin', async () => {
      const res = await rawRequest(stack.pushUrl, {
        method: 'OPTIONS',
        headers: { origin: 'https://evil.example.com', 'access-control-request-method': 'POST' },
      });
      assert.equal(res.status, 403);
      assert.equal(res.headers['access-control-allow-origin'], undefined);
    });

    it('a push from an allowed origin carries the CORS header; a bare Bundle with Authorization lands', async () => {
      const res = await push(stack.pushUrl, patientDoc(10).body.bundle, undefined, { origin: 'https://cht.example.org' });
      assert.equal(res.status, 200);
      assert.equal(res.headers['access-control-allow-origin'], 'https://cht.example.org');
      const other = await push(stack.pushUrl, patientDoc(11).body.bundle, undefined, { origin: 'https://evil.example.com' });
      assert.equal(other.headers['access-control-allow-origin'], undefined);
    });
  });

  describe('service', () => {
    it('GET /health answers without credentials', async () => {
      const stack = await startStack();
      try {
        const res = await rawRequest(`${stack.receiver.url}/health`);
        assert.equal(res.status, 200);
        assert.equal(res.json().status, 'pass');
      } finally {
        await stack.close();
      }
    });

    it('logs one JSON line per request with no credentials or payload', async () => {
      const lines: string[] = [];
      const stack = await startStack({ log: jsonLogger((l) => lines.push(l)) });
      try {
        await push(stack.pushUrl, patientDoc(12).body);
        await rawRequest(stack.pushUrl, { method: 'POST', headers: { authorization: basic('cht', 'guess-Pa55') } });
      } finally {
        await stack.close();
      }
      const entries = lines.map((l) => JSON.parse(l));
      const requests = entries.filter((e) => e.msg === 'request');
      assert.deepEqual(
        requests.map((e) => e.status),
        [200, 401],
      );
      assert.ok(requests.every((e) => typeof e.ms === 'number' && e.path === '/cht-fhir/push'));
      const all = lines.join('\n');
      for (const secret of ['s3cret-pass', 'guess-Pa55', AUTH.slice(6), 'Given12']) assert.ok(!all.includes(secret), secret);
    });

    it('close() lets an in-flight push finish before stopping', async () => {
      // A FHIR server that holds every call until released.
      const fhir = await startFhirServer();
      let release: () => void = () => undefined;
      const held = new Promise<void>((ok) => (release = ok));
      const gate = http.createServer(async (req, res) => {
        const chunks: Buffer[] = [];
        for await (const c of req) chunks.push(c as Buffer);
        await held;
        const up = await fetch(fhir.url, { method: 'POST', headers: { 'content-type': 'application/fhir+json' }, body: Buffer.concat(chunks) });
        res.writeHead(up.status, { 'content-type': 'application/fhir+json' });
        res.end(await up.text());
      });
      await new Promise<void>((ok) => gate.listen(0, '127.0.0.1', ok));
      const port = (gate.address() as import('node:net').AddressInfo).port;
      const stack = await startStack({ fhir, fhirBaseUrl: `http://127.0.0.1:${port}/fhir/R4` });
      const inFlight = push(stack.pushUrl, patientDoc(13).body);
      while (!(await gateHasConnection(gate))) await new Promise((ok) => setImmediate(ok));
      let closed = false;
      const closing = stack.receiver.close().then(() => (closed = true));
      await new Promise((ok) => setTimeout(ok, 50));
      assert.equal(closed, false);
      release();
      const res = await inFlight;
      await closing;
      assert.equal(res.status, 200);
      assert.equal((await storedResources(fhir.repo)).size, 1);
      await assert.rejects(push(stack.pushUrl, patientDoc(14).body));
      await new Promise((ok) => gate.close(ok));
      await fhir.close();
    });
  });
});

function gateHasConnection(server: http.Server): Promise<boolean> {
  return new Promise((ok) => server.getConnections((_e, n) => ok(n > 0)));
}
