import { strict as assert } from 'node:assert';
import { preloadR4Definitions } from '../../src/fhir-validation';
import { startFhirServer, type FhirServer } from '../../src/doubles/fhir-store';
import { jsonLogger, mediatorConfig, MEDIATOR_URN } from '../../src/runtime/receiver';
import { startOpenhimStandIn, type OpenhimStandIn } from '../../harness/stand-ins/openhim';
import { patientDoc } from '../../harness/stand-ins/push-bundles';
import { basic, rawRequest } from '../../harness/stand-ins/raw-http';
import { CREDS, startStack, type Stack } from '../../harness/receiver-stack';

const ADMIN = { 'root@openhim.org': 'openhim-password' };

async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((ok) => setTimeout(ok, 10));
}

/**
 * OpenHIM 8.x's HTTP Basic API login, against the stand-in (the real
 * OpenHIM here is 4.0.5, token login only: test/openhim covers the rest),
 * and the mediator response format, which needs no OpenHIM.
 */
describe('receiver as an OpenHIM 8.x mediator (Basic login, against the OpenHIM 8 stand-in)', function () {
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

  it('picks HTTP Basic by itself (GET /authenticate/<user> is refused), logs it once, and registers a config OpenHIM accepts', () => {
    const login = logs.filter((l) => l.includes('OpenHIM API login'));
    assert.equal(login.length, 1, login.join('\n'));
    assert.match(login[0], /HTTP Basic \(OpenHIM 8\.x\)/);
    const m = openhim.mediators.get(MEDIATOR_URN);
    assert.ok(m);
    const port = Number(new URL(stack.receiver.url).port);
    assert.deepEqual(
      m.endpoints.map((e: { host: string; port: number }) => [e.host, e.port]),
      [['127.0.0.1', port]],
    );
    assert.equal(m.defaultChannelConfig[0].urlPattern, '^/cht-fhir/.*$');
    assert.ok(new RegExp(m.defaultChannelConfig[0].urlPattern).test('/cht-fhir/push'));
    assert.deepEqual(
      openhim.apiRejections.filter((r) => r.status === 400),
      [],
      'the registration was accepted',
    );
  });

  it('sends heartbeats with uptime', async () => {
    await until(() => openhim.heartbeats.length >= 3);
    assert.ok(openhim.heartbeats.every((h) => h.urn === MEDIATOR_URN && typeof h.uptime === 'number'));
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
      assert.ok(openhim.apiRejections.some((r) => r.path.startsWith('/mediators') && r.status === 401));
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

  it('a receiver moved to another port re-registers with a greater version over Basic; the installed channel follows', async () => {
    const lines: string[] = [];
    const moved = await startStack({
      fhir,
      auth: { username: 'cht-moved', password: 'other-pass' },
      log: jsonLogger((l) => lines.push(l)),
      openhim: {
        apiUrl: openhim.apiUrl,
        username: 'root@openhim.org',
        password: 'openhim-password',
        auth: 'basic',
        heartbeatMs: 50,
        mediatorHost: '127.0.0.1',
      },
    });
    try {
      await moved.receiver.openhimRegistered;
      const m = openhim.mediators.get(MEDIATOR_URN);
      assert.equal(m.version, '0.1.1');
      assert.equal(m.endpoints[0].port, Number(new URL(moved.receiver.url).port));
      assert.match(
        lines.find((l) => l.includes('registered with OpenHIM'))!,
        /"registration":"updated".*"channelsUpdated":\["CHT FHIR push"\]/,
      );
      assert.ok(!lines.some((l) => l.includes('OpenHIM API login')), 'OPENHIM_AUTH=basic: no detection');
      const res = await rawRequest(`${openhim.routerUrl}/cht-fhir/push`, {
        method: 'POST',
        headers: { authorization: basic('cht', 'cht-to-openhim'), 'content-type': 'application/json' },
        body: JSON.stringify(patientDoc(26).body),
      });
      assert.equal(res.status, 200, 'the channel routes to the moved receiver with its credentials');
    } finally {
      await moved.close();
    }
  });

  it("the mediator response carries the answer's headers a client needs (WWW-Authenticate, Retry-After...) in response.headers", async () => {
    const res = await rawRequest(stack.pushUrl, {
      method: 'POST',
      headers: { authorization: basic('cht', 'wrong'), 'content-type': 'application/json', 'X-OpenHIM-TransactionID': 'tx-401' },
      body: JSON.stringify(patientDoc(27).body),
    });
    assert.equal(res.status, 401);
    const m = res.json();
    assert.equal(m.response.headers['www-authenticate'], 'Basic realm="cht-fhir", charset="UTF-8"');
    assert.equal(m.response.headers['content-type'], 'application/fhir+json; charset=utf-8');
    assert.equal(m.response.headers['content-length'], undefined);
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
