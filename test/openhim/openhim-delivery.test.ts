import { strict as assert } from 'node:assert';
import fs from 'node:fs';
import path from 'node:path';
import { preloadR4Definitions } from '../../src/fhir-validation';
import { startFhirServer, type FhirServer } from '../../src/doubles/fhir-store';
import { jsonLogger, mediatorConfig, startReceiver, MEDIATOR_URN, type Receiver } from '../../src/runtime/receiver';
import { setupOpenhim } from '../../src/runtime/receiver/openhim-setup';
import { resourceId, systems } from '../../src/core/identity';
import { compileDefinitions } from '../../src/compiler/definitions/compile';
import { startOpenhim, eventually, transactions, type RealOpenhim, type Transaction } from '../../harness/openhim';
import { ROOT, referenceModel } from '../../harness/repo';
import { sampleContacts } from '../../harness/samples';
import { versionedPushes } from '../support/versioned-pushes';
import { startChtStandIn, type ChtStandIn } from '../../harness/stand-ins/cht-api';
import { startFaultProxy, type FaultProxy, type FaultProxyOptions } from '../../harness/stand-ins/fault-proxy';
import { pushDocs } from '../../harness/stand-ins/push-bundles';
import { basic, rawRequest } from '../../harness/stand-ins/raw-http';
import { CREDS, expectedResources, mapLimit, storedResources, versionCount, withoutMeta } from '../../harness/receiver-stack';

/**
 * The receiver behind a REAL OpenHIM (openhim-core 4.0.5, tools/openhim):
 * CHT pushing through the router as an OpenHIM client, clinic systems sending
 * FHIR through the inbound channel, OpenHIM's auto-retry and reruns.
 */
const CHT_CLIENT = { clientID: 'cht-outbound', password: 'cht-to-openhim', roles: ['cht'] };
const CLINIC = { clientID: 'clinic-emr', password: 'clinic-pw', roles: ['fhir-sender'] };

describe('receiver behind a real OpenHIM 4.0.5', function () {
  this.timeout(600_000);
  let openhim: RealOpenhim;
  let fhir: FhirServer;
  let proxy: FaultProxy;
  const faults: FaultProxyOptions = { target: '', faultRate: 0, delayMs: 2500, seed: 7 };
  let cht: ChtStandIn;
  let receiver: Receiver;
  const logs: string[] = [];
  const { model } = compileDefinitions(ROOT);
  const forms = JSON.parse(fs.readFileSync(path.join(ROOT, 'app_settings/forms.json'), 'utf8'));

  const viaRouter = (client: { clientID: string; password: string }, method: string, p: string, body?: unknown, type = 'application/json') =>
    rawRequest(`${openhim.routerUrl}${p}`, {
      method,
      headers: { authorization: basic(client.clientID, client.password), ...(body !== undefined ? { 'content-type': type } : {}) },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      timeoutMs: 30_000,
    });
  const channelId = async (name: string) => (await openhim.api.json<{ _id: string; name: string }[]>('GET', '/channels')).find((c) => c.name === name)!._id;

  before(async () => {
    preloadR4Definitions();
    openhim = await startOpenhim({ pollMs: 200 });
    fhir = await startFhirServer();
    faults.target = fhir.url;
    proxy = await startFaultProxy(faults);
    cht = await startChtStandIn({ forms, docs: sampleContacts() });
    receiver = await startReceiver({
      auth: CREDS,
      fhirBaseUrl: proxy.url,
      deadlineMs: 2000,
      lateCommitMs: 5000,
      inbound: { chtUrl: cht.urlWithCredentials, model: referenceModel() },
      log: jsonLogger((l) => logs.push(l)),
      openhim: {
        apiUrl: openhim.apiUrl,
        username: openhim.username,
        password: openhim.password,
        trustSelfSigned: true,
        heartbeatMs: 200,
        mediatorHost: '127.0.0.1',
      },
    });
    await receiver.openhimRegistered;
    const port = Number(new URL(receiver.url).port);
    const config = mediatorConfig({ host: '127.0.0.1', port, auth: CREDS });
    await setupOpenhim(openhim.api, config, CHT_CLIENT);
    await setupOpenhim(openhim.api, config, CLINIC);
  });
  after(async () => {
    await receiver?.close();
    await cht?.close();
    await proxy?.close();
    await fhir?.close();
    await openhim?.stop();
  });

  it('registered with the token scheme, chosen automatically and logged once; heartbeats reach OpenHIM', async () => {
    assert.equal(openhim.version, '4.0.5');
    const login = logs.filter((l) => l.includes('OpenHIM API login'));
    assert.equal(login.length, 1, login.join('\n'));
    assert.match(login[0], /token scheme \(OpenHIM 4\.x-7\.x\)/);
    const m = await eventually('a heartbeat', async () => {
      const got = await openhim.api.json<{ _uptime?: number; _lastHeartbeat?: string; endpoints: { host: string; port: number }[] }>(
        'GET',
        `/mediators/${encodeURIComponent(MEDIATOR_URN)}`,
      );
      return got._lastHeartbeat ? got : undefined;
    });
    assert.deepEqual(
      m.endpoints.map((e) => [e.host, e.port]),
      [['127.0.0.1', Number(new URL(receiver.url).port)]],
    );
    assert.ok(typeof m._uptime === 'number');
    assert.ok(!logs.some((l) => l.includes('registration/heartbeat failed')), logs.filter((l) => l.includes('failed')).join('\n'));
  });

  it('the default inbound channel carries GET: metadata through OpenHIM is the receiver CapabilityStatement', async () => {
    const res = await viaRouter(CLINIC, 'GET', '/fhir/metadata');
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json().resourceType, 'CapabilityStatement');
    assert.match(res.headers['content-type'] ?? '', /application\/fhir\+json/);
  });

  it("OpenHIM refuses a client without the channel's role (401) before the receiver sees it; the receiver's credentials are on the route", async () => {
    const res = await viaRouter(CHT_CLIENT, 'GET', '/fhir/metadata');
    assert.equal(res.status, 401);
    const before = (await transactions(openhim.api)).length;
    const wrong = await viaRouter({ clientID: CHT_CLIENT.clientID, password: 'wrong' }, 'POST', '/cht-fhir/push', pushDocs(1, 9)[0].body);
    assert.equal(wrong.status, 401);
    assert.equal((await transactions(openhim.api)).length, before, 'nothing routed');
    const channel = (await openhim.api.json<any[]>('GET', '/channels')).find((c) => c.name === 'CHT FHIR push');
    assert.deepEqual([channel.routes[0].username, channel.routes[0].password], [CREDS.username, CREDS.password]);
  });

  it("bad inbound input through the channel gets the receiver's 4xx OperationOutcome (not OpenHIM's), stored Completed", async () => {
    const cases: [unknown, string, number, RegExp][] = [
      ['{not json', 'application/fhir+json', 400, /JSON/i],
      [{ ...referral('sr-bad-status'), status: 'bogus' }, 'application/fhir+json', 422, /bogus/],
      [{ ...referral('sr-no-id'), id: undefined }, 'application/fhir+json', 422, /needs an identifier/],
      [{ resourceType: 'ServiceRequest' }, 'text/plain', 415, /content type|Content-Type/i],
    ];
    for (const [body, type, status, text] of cases) {
      const res = await viaRouter(CLINIC, 'POST', '/fhir/ServiceRequest', body, type);
      assert.equal(res.status, status, res.text);
      const o = res.json();
      assert.equal(o.resourceType, 'OperationOutcome');
      assert.match(JSON.stringify(o.issue), text);
      const tx = (await transactions(openhim.api)).find((t) => t._id === res.headers['x-openhim-transactionid']);
      assert.equal(tx?.status, 'Completed');
      assert.equal(tx?.response?.status, status);
    }
  });

  it('a created referral answers 201 with Location through OpenHIM (headers in response.headers reach the client)', async () => {
    const direct = await rawRequest(`${receiver.url}/fhir/ServiceRequest`, {
      method: 'POST',
      headers: { authorization: basic(CREDS.username, CREDS.password), 'content-type': 'application/fhir+json' },
      body: JSON.stringify(referral('sr-direct')),
    });
    assert.equal(direct.status, 201, direct.text);
    const res = await viaRouter(CLINIC, 'POST', '/fhir/ServiceRequest', referral('sr-via-openhim'), 'application/fhir+json');
    assert.equal(res.status, 201, res.text);
    assert.equal(res.headers.location, 'ServiceRequest/sr-via-openhim');
  });

  it('Retry-After survives OpenHIM: a receiver whose CHT login fails answers 503 + Retry-After to the clinic system', async () => {
    const broken = await startReceiver({
      auth: CREDS,
      fhirBaseUrl: fhir.url,
      inbound: { chtUrl: cht.url.replace('http://', 'http://medic-fhir:WRONGpw@'), model: referenceModel() },
    });
    try {
      const port = Number(new URL(broken.url).port);
      await openhim.api.json('POST', '/channels', {
        name: 'FHIR to CHT (CHT login broken)',
        urlPattern: '^/broken/fhir/.*$',
        methods: ['POST'],
        type: 'http',
        allow: ['fhir-sender'],
        authType: 'private',
        routes: [
          {
            name: 'broken',
            host: '127.0.0.1',
            port,
            primary: true,
            type: 'http',
            pathTransform: 's/^\\/broken//',
            username: CREDS.username,
            password: CREDS.password,
          },
        ],
      });
      const res = await eventually('the new channel in the router', async () => {
        const r = await viaRouter(CLINIC, 'POST', '/broken/fhir/ServiceRequest', referral('sr-broken'), 'application/fhir+json');
        // OpenHIM's channel cache refreshes on a timer: until then it answers 404, or (seen once in a full run) its own 401.
        return r.status === 404 || (r.status === 401 && !r.text.includes('OperationOutcome')) ? undefined : r;
      });
      assert.equal(res.status, 503, res.text);
      assert.equal(res.headers['retry-after'], '10');
      assert.equal(res.json().resourceType, 'OperationOutcome');
    } finally {
      await broken.close();
    }
  });

  it('outbound exactly once through the router with 1/3 of FHIR calls faulted and OpenHIM auto-retry on', async () => {
    const id = await channelId('CHT FHIR push');
    // What an admin turns on for the push channel: OpenHIM retries a 5xx transaction itself (every minute here).
    await openhim.api.json('PUT', `/channels/${id}`, { autoRetryEnabled: true, autoRetryPeriodMinutes: 1, autoRetryMaxAttempts: 0 });
    const docs = pushDocs(24, 5);
    faults.faultRate = 1 / 3;
    const answers = await mapLimit(docs, 4, (d) => viaRouter(CHT_CLIENT, 'POST', '/cht-fhir/push', d.body));
    faults.faultRate = 0; // the FHIR server recovers
    const failed = answers.filter((a) => a.status >= 500);
    assert.ok(Object.values(proxy.stats.faults).reduce((a, b) => a + b, 0) > 0, 'faults were injected');
    assert.ok(failed.length > 0, `some pushes failed: ${answers.map((a) => a.status).join(' ')}`);
    assert.ok(
      answers.every((a) => a.status === 200 || a.status >= 500),
      answers.map((a) => a.status).join(' '),
    );
    const failedIds = new Set(failed.map((a) => String(a.headers['x-openhim-transactionid'])));
    // OpenHIM queues each 5xx transaction (the mediator response carries `error`) and reruns it: wait until each has a Successful rerun.
    const all = await eventually(
      'OpenHIM auto-retries of every failed push to succeed',
      async () => {
        const txs = await transactions(openhim.api);
        const ok = [...failedIds].every((tid) => retriedToSuccess(txs, tid));
        return ok ? txs : undefined;
      },
      240_000,
    );
    const originals = all.filter((t) => failedIds.has(t._id));
    assert.ok(
      originals.every((t) => t.status === 'Failed' && t.error),
      'the failed pushes were stored Failed with an error',
    );
    await receiver.lateChecksDone();
    const stored = await storedResources(fhir.repo);
    const expected = expectedResources(docs);
    for (const [key, r] of expected) {
      const s = stored.get(key);
      assert.ok(s, `${key} stored`);
      assert.deepEqual(withoutMeta(s), r, key);
      assert.equal(await versionCount(fhir.repo, key), 1, `${key}: one version`);
    }
  });

  it('a rerun of an old transaction after a newer version was delivered: the newest version stays', async () => {
    const v = (n: number) => versionedPushes.cht('openhim-rerun', n);
    const first = await viaRouter(CHT_CLIENT, 'POST', '/cht-fhir/push', v(1).body);
    assert.equal(first.status, 200, first.text);
    const second = await viaRouter(CHT_CLIENT, 'POST', '/cht-fhir/push', v(2).body);
    assert.equal(second.status, 200, second.text);
    const key = v(1).key;
    const before = (await storedResources(fhir.repo)).get(key)!;
    assert.equal(v(1).name(before), 'V2');
    // What "Rerun" in the console does: a task for the transaction, picked up by the rerun processor.
    const tid = String(first.headers['x-openhim-transactionid']);
    await openhim.api.json('POST', '/tasks', { tids: [tid] });
    const rerun = await eventually('the rerun of the first push', async () => {
      const txs = await transactions(openhim.api);
      return txs.find((t) => t.parentID === tid && t.status !== 'Processing');
    });
    assert.equal(rerun.status, 'Successful');
    assert.match(rerun.response?.body ?? '', /1 superseded by a newer version/);
    const after = (await storedResources(fhir.repo)).get(key)!;
    assert.equal(v(1).name(after), 'V2');
    assert.equal(after.meta?.versionId, before.meta?.versionId, 'the rerun wrote nothing');
  });

  function referral(id: string) {
    const chtIdSystem = systems(model.deployment).chtId;
    return {
      resourceType: 'ServiceRequest',
      id,
      status: 'active',
      intent: 'order',
      subject: {
        reference: `Patient/${resourceId(model.deployment, 'Patient', 'child-1')}`,
        identifier: { system: chtIdSystem, value: 'child-1' },
      },
      reasonCode: [{ text: 'Fast breathing' }],
    };
  }
});

/** Whether transaction `tid` or a rerun of it (following childIDs/parentID) ended Successful. */
function retriedToSuccess(txs: Transaction[], tid: string): boolean {
  const tx = txs.find((t) => t._id === tid);
  if (!tx) return false;
  if (tx.status === 'Successful') return true;
  return txs.filter((t) => t.parentID === tid).some((c) => retriedToSuccess(txs, c._id));
}
