import { strict as assert } from 'node:assert';
import { preloadR4Definitions } from '../../src/fhir-validation';
import { startFhirServer, type FhirServer } from '../../src/fhir-server';
import { jsonLogger, mediatorConfig, MEDIATOR_URN } from '../../src/receiver';
import { startOpenhimStandIn, type OpenhimStandIn } from '../stand-ins/openhim';
import { patientDoc, reportDoc } from '../stand-ins/push-bundles';
import { basic, rawRequest } from '../stand-ins/raw-http';
import { CREDS, startStack, storedResources, type Stack } from './receiver-helpers';

const ADMIN = { 'root@openhim.org': 'openhim-password' };

async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((ok) => setTimeout(ok, 10));
}

describe('receiver as an OpenHIM mediator (against the OpenHIM stand-in)', function () {
  this.timeout(60000);
  let fhir: FhirServer;
  let openhim: OpenhimStandIn;
  let stack: Stack;
  const logs: string[] = [];

  before(async () => {
    preloadR4Definitions();
    fhir = await startFhirServer();
    openhim = await startOpenhimStandIn(ADMIN);
    stack = await startStack({
      fhir,
      log: jsonLogger((l) => logs.push(l)),
      openhim: { apiUrl: openhim.apiUrl, username: 'root@openhim.org', password: 'openhim-password', heartbeatMs: 50, mediatorHost: '127.0.0.1' },
    });
    await stack.receiver.openhimRegistered;
    // What an OpenHIM admin does once: install the default channel and add CHT as a client.
    const install = await rawRequest(`${openhim.apiUrl}/mediators/${encodeURIComponent(MEDIATOR_URN)}/channels`, {
      method: 'POST',
      headers: { authorization: basic('root@openhim.org', 'openhim-password'), 'content-type': 'application/json' },
      body: JSON.stringify(['CHT FHIR push']),
    });
    assert.equal(install.status, 201, install.text);
    openhim.addClient('cht', 'cht-to-openhim', ['cht']);
  });
  after(async () => {
    await stack?.close();
    await openhim?.close();
    await fhir?.close();
  });

  it('registers with a config OpenHIM accepts, pointing its channel route at the receiver', () => {
    const m = openhim.mediators.get(MEDIATOR_URN);
    assert.ok(m);
    const port = Number(new URL(stack.receiver.url).port);
    assert.deepEqual(
      m.endpoints.map((e: { host: string; port: number }) => [e.host, e.port]),
      [['127.0.0.1', port]],
    );
    assert.equal(m.defaultChannelConfig[0].urlPattern, '^/cht-fhir/.*$');
    assert.ok(new RegExp(m.defaultChannelConfig[0].urlPattern).test('/cht-fhir/push'));
    assert.deepEqual(openhim.apiRejections, []);
  });

  it('sends heartbeats with uptime', async () => {
    await until(() => openhim.heartbeats.length >= 3);
    assert.ok(openhim.heartbeats.every((h) => h.urn === MEDIATOR_URN && typeof h.uptime === 'number'));
  });

  it('a push routed through OpenHIM lands; OpenHIM records a Successful transaction with the FHIR calls', async () => {
    const doc = reportDoc(21);
    const res = await rawRequest(`${openhim.routerUrl}/cht-fhir/push`, {
      method: 'POST',
      headers: { authorization: basic('cht', 'cht-to-openhim'), 'content-type': 'application/json' },
      body: JSON.stringify(doc.body),
    });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json().resourceType, 'OperationOutcome');
    const tx = openhim.transactions.at(-1)!;
    assert.equal(tx.status, 'Successful');
    assert.deepEqual(
      tx.orchestrations.map((o) => [o.name, o.response?.status]),
      [
        ['FHIR read (batch)', 200],
        ['FHIR transaction', 200],
      ],
    );
    assert.equal((await storedResources(fhir.repo)).size, 3);
  });

  it('an invalid push through OpenHIM: the client gets the 400 OperationOutcome, transaction Completed, nothing written', async () => {
    const bad = patientDoc(22).body as any;
    bad.bundle.entry[0].resource.gender = 'boy';
    const before = (await storedResources(fhir.repo)).size;
    const res = await rawRequest(`${openhim.routerUrl}/cht-fhir/push`, {
      method: 'POST',
      headers: { authorization: basic('cht', 'cht-to-openhim'), 'content-type': 'application/json' },
      body: JSON.stringify(bad),
    });
    assert.equal(res.status, 400);
    assert.match(res.json().issue[0].details.text, /"boy"/);
    assert.equal(openhim.transactions.at(-1)!.status, 'Completed');
    assert.equal((await storedResources(fhir.repo)).size, before);
  });

  it('a client without the channel role is refused by OpenHIM (401); the channel route carries the receiver credentials', async () => {
    openhim.addClient('other', 'pw', ['lab']);
    const res = await rawRequest(`${openhim.routerUrl}/cht-fhir/push`, {
      method: 'POST',
      headers: { authorization: basic('other', 'pw'), 'content-type': 'application/json' },
      body: JSON.stringify(patientDoc(23).body),
    });
    assert.equal(res.status, 401);
    const config = mediatorConfig({ host: '127.0.0.1', port: 1, auth: CREDS });
    assert.equal(config.defaultChannelConfig[0].routes[0].username, CREDS.username);
  });

  it('FHIR server down: OpenHIM gets a Failed transaction with an error (auto-retry) and CHT a 5xx', async () => {
    const dead = await startFhirServer();
    await dead.close();
    const down = await startStack({ fhir, fhirBaseUrl: dead.url });
    try {
      const res = await rawRequest(`${down.pushUrl}`, {
        method: 'POST',
        headers: { authorization: basic(CREDS.username, CREDS.password), 'content-type': 'application/json', 'X-OpenHIM-TransactionID': 'abc123' },
        body: JSON.stringify(patientDoc(24).body),
      });
      assert.equal(res.status, 502);
      assert.equal(res.headers['content-type'], 'application/json+openhim');
      const m = res.json();
      assert.equal(m['x-mediator-urn'], MEDIATOR_URN);
      assert.equal(m.status, 'Failed');
      assert.equal(m.response.status, 502);
      assert.equal(JSON.parse(m.response.body).resourceType, 'OperationOutcome');
      assert.match(m.error.message, /unreachable/);
      assert.equal(m.orchestrations[0].name, 'FHIR read (batch)');
      assert.match(m.orchestrations[0].error.message, /unreachable/);
      assert.ok(m.orchestrations[0].request.timestamp);
    } finally {
      await down.close();
    }
  });

  it('wrong OpenHIM API credentials: registration is refused (401), logged without secrets, pushes still work', async () => {
    const lines: string[] = [];
    const s = await startStack({
      fhir,
      log: jsonLogger((l) => lines.push(l)),
      openhim: { apiUrl: openhim.apiUrl, username: 'root@openhim.org', password: 'not-it', heartbeatMs: 50 },
    });
    try {
      await until(() => lines.some((l) => l.includes('registration/heartbeat failed')));
      assert.ok(openhim.apiRejections.some((r) => r.path === '/mediators' && r.status === 401));
      assert.ok(!lines.join('\n').includes('not-it'));
      const res = await rawRequest(s.pushUrl, {
        method: 'POST',
        headers: { authorization: basic(CREDS.username, CREDS.password), 'content-type': 'application/json' },
        body: JSON.stringify(patientDoc(25).body),
      });
      assert.equal(res.status, 200);
    } finally {
      await s.close();
    }
  });

  it('the stand-in enforces the registration schema (so a broken mediatorConfig would fail here)', async () => {
    const post = (body: unknown) =>
      rawRequest(`${openhim.apiUrl}/mediators`, {
        method: 'POST',
        headers: { authorization: basic('root@openhim.org', 'openhim-password'), 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const good = mediatorConfig({ host: '127.0.0.1', port: 5005, auth: CREDS });
    assert.equal((await post({ ...good, urn: 'urn:x:1' })).status, 201);
    assert.equal((await post({ ...good, urn: 'urn:x:2', version: 'v1' })).status, 400);
    assert.equal((await post({ ...good, urn: 'urn:x:3', endpoints: [] })).status, 400);
    assert.equal((await post({ ...good, urn: undefined })).status, 400);
    assert.equal((await post({ ...good, urn: 'urn:x:4', defaultChannelConfig: [{ ...good.defaultChannelConfig[0], urlPattern: '(' }] })).status, 400);
    const hb = await rawRequest(`${openhim.apiUrl}/mediators/urn%3Ax%3A1/heartbeat`, {
      method: 'POST',
      headers: { authorization: basic('root@openhim.org', 'openhim-password'), 'content-type': 'application/json' },
      body: '{}',
    });
    assert.equal(hb.status, 400);
    assert.equal((await rawRequest(`${openhim.apiUrl}/mediators`, { headers: { authorization: basic('root@openhim.org', 'nope') } })).status, 401);
  });
});
