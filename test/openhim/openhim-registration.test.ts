import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { preloadR4Definitions } from '../../src/fhir-validation';
import { startFhirServer, type FhirServer } from '../../src/doubles/fhir-store';
import { jsonLogger, mediatorConfig, MEDIATOR_URN, OpenhimApi, silentLogger } from '../../src/runtime/receiver';
import { startOpenhim, eventually, type RealOpenhim } from '../../harness/openhim';
import { patientDoc } from '../../harness/stand-ins/push-bundles';
import { basic, rawRequest } from '../../harness/stand-ins/raw-http';
import { CREDS, startStack, storedResources, type Stack } from '../../harness/receiver-stack';
import { ROOT } from '../../harness/repo';

/**
 * Registration against a REAL OpenHIM 4.0.5: the console's channel install,
 * a receiver moved to another port with other route credentials, and
 * `cht-fhir openhim` setting OpenHIM up through its API.
 */
const OTHER_CREDS = { username: 'cht-moved', password: 'another-pass' };

function run(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [path.join(ROOT, 'bin/cht-fhir.js'), ...args], { cwd: ROOT, env: { ...process.env, ...env } }, (e, stdout, stderr) =>
      resolve({ code: e ? ((e as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe('OpenHIM registration against a real OpenHIM 4.0.5', function () {
  this.timeout(300_000);
  let openhim: RealOpenhim;
  let fhir: FhirServer;
  const stacks: Stack[] = [];
  before(async () => {
    preloadR4Definitions();
    openhim = await startOpenhim();
    fhir = await startFhirServer();
  });
  after(async () => {
    for (const s of stacks) await s.close().catch(() => undefined);
    await fhir?.close();
    await openhim?.stop();
  });

  const mediator = () => openhim.api.json<any>('GET', `/mediators/${encodeURIComponent(MEDIATOR_URN)}`);
  const startRegistered = async (auth: typeof CREDS, lines: string[]) => {
    const s = await startStack({
      fhir,
      auth,
      log: jsonLogger((l) => lines.push(l)),
      openhim: {
        apiUrl: openhim.apiUrl,
        username: openhim.username,
        password: openhim.password,
        trustSelfSigned: true,
        heartbeatMs: 200,
        mediatorHost: '127.0.0.1',
      },
    });
    stacks.push(s);
    await s.receiver.openhimRegistered;
    return s;
  };
  const pushViaRouter = (n: number) =>
    rawRequest(`${openhim.routerUrl}/cht-fhir/push`, {
      method: 'POST',
      headers: { authorization: basic('cht-client', 'client-pw'), 'content-type': 'application/json' },
      body: JSON.stringify(patientDoc(n).body),
      timeoutMs: 30_000,
    });

  it('a receiver moved to another port with other credentials re-registers (greater version) and the channel installed from the console follows', async () => {
    const linesA: string[] = [];
    const a = await startRegistered(CREDS, linesA);
    assert.match(
      linesA.find((l) => l.includes('registered with OpenHIM'))!,
      /"registration":"created","version":"0.1.0"/,
    );
    // The console's "install channel" and the CHT client, as an admin does them.
    assert.equal((await openhim.api.call('POST', `/mediators/${encodeURIComponent(MEDIATOR_URN)}/channels`, ['CHT FHIR push'])).status, 201);
    const salt = 'salt-1';
    await openhim.api.json('POST', '/clients', {
      clientID: 'cht-client',
      name: 'CHT',
      roles: ['cht'],
      passwordAlgorithm: 'sha512',
      passwordSalt: salt,
      passwordHash: createHash('sha512').update('client-pw').update(salt).digest('hex'),
    });
    const first = await eventually('the installed channel in the router', async () => {
      const r = await pushViaRouter(1);
      return r.status === 404 ? undefined : r;
    });
    assert.equal(first.status, 200, first.text);

    // What OpenHIM does with a changed registration under the same version: nothing (addMediator needs a greater one).
    const portA = Number(new URL(a.receiver.url).port);
    const moved = mediatorConfig({ host: '127.0.0.1', port: portA + 1, auth: CREDS });
    assert.equal((await openhim.api.call('POST', '/mediators', moved)).status, 201);
    assert.equal((await mediator()).endpoints[0].port, portA, 'OpenHIM kept the old endpoint');

    await a.close();
    const linesB: string[] = [];
    const b = await startRegistered(OTHER_CREDS, linesB);
    const portB = Number(new URL(b.receiver.url).port);
    assert.notEqual(portB, portA);
    const registered = linesB.find((l) => l.includes('registered with OpenHIM'))!;
    assert.match(registered, /"registration":"updated","version":"0.1.1"/);
    assert.match(registered, /"channelsUpdated":\["CHT FHIR push"\]/);
    const m = await mediator();
    assert.equal(m.version, '0.1.1');
    assert.deepEqual([m.endpoints[0].host, m.endpoints[0].port], ['127.0.0.1', portB]);
    assert.equal(m.defaultChannelConfig[0].routes[0].username, OTHER_CREDS.username);
    const channel = (await openhim.api.json<any[]>('GET', '/channels')).find((c) => c.name === 'CHT FHIR push');
    assert.deepEqual([channel.routes[0].port, channel.routes[0].username, channel.routes[0].password], [portB, OTHER_CREDS.username, OTHER_CREDS.password]);

    const second = await eventually('the router to route to the moved receiver', async () => {
      const r = await pushViaRouter(2);
      return r.status === 200 ? r : undefined; // OpenHIM's channel cache refreshes on a timer
    });
    assert.equal(second.status, 200);
    assert.ok((await storedResources(fhir.repo)).has(patientDoc(2).keys[0]));

    // The same receiver starting again with the same settings changes nothing.
    await b.close();
    const linesC: string[] = [];
    const c = await startStack({
      fhir,
      auth: OTHER_CREDS,
      port: portB,
      log: jsonLogger((l) => linesC.push(l)),
      openhim: {
        apiUrl: openhim.apiUrl,
        username: openhim.username,
        password: openhim.password,
        trustSelfSigned: true,
        heartbeatMs: 200,
        mediatorHost: '127.0.0.1',
      },
    });
    stacks.push(c);
    await c.receiver.openhimRegistered;
    assert.match(
      linesC.find((l) => l.includes('registered with OpenHIM'))!,
      /"registration":"unchanged","version":"0.1.1"/,
    );
    assert.equal((await mediator()).version, '0.1.1');
  });

  it('OpenHIM 4.0.5 refuses HTTP Basic (401); auto picks the token scheme; a wrong password is a 401', async () => {
    const api = new OpenhimApi(
      { apiUrl: openhim.apiUrl, username: openhim.username, password: openhim.password, auth: 'basic', trustSelfSigned: true },
      silentLogger,
    );
    assert.equal((await api.call('GET', '/mediators')).status, 401);
    const auto = new OpenhimApi({ apiUrl: openhim.apiUrl, username: openhim.username, password: openhim.password, trustSelfSigned: true }, silentLogger);
    assert.equal((await auto.call('GET', '/mediators')).status, 200);
    assert.equal(auto.authScheme, 'token');
    const wrong = new OpenhimApi({ apiUrl: openhim.apiUrl, username: openhim.username, password: 'not-it', trustSelfSigned: true }, silentLogger);
    assert.equal((await wrong.call('GET', '/mediators')).status, 401);
  });

  it('`cht-fhir openhim` installs channels and the CHT client through the API, idempotently, printing what it changed', async () => {
    const env = {
      OPENHIM_API_URL: openhim.apiUrl,
      OPENHIM_USERNAME: openhim.username,
      OPENHIM_PASSWORD: openhim.password,
      OPENHIM_TRUST_SELF_SIGNED: 'true',
      RECEIVER_USERNAME: OTHER_CREDS.username,
      RECEIVER_PASSWORD: OTHER_CREDS.password,
      MEDIATOR_HOST: '127.0.0.1',
      PORT: String(Number(new URL(stacks.at(-1)!.receiver.url).port)),
      OPENHIM_CLIENT_PASSWORD: 'cli-client-pw',
    };
    const first = await run(['openhim'], env);
    assert.equal(first.code, 0, first.stderr);
    const lines = first.stdout.trim().split('\n');
    assert.deepEqual(lines, [
      `mediator ${MEDIATOR_URN}: unchanged (version 0.1.1)`,
      'channel "CHT FHIR push": unchanged',
      'channel "FHIR to CHT": created (^/fhir/.*$, GET POST PUT, role fhir-sender)',
      'client "cht-outbound": created (roles cht)',
    ]);
    const again = await run(['openhim'], env);
    assert.equal(again.code, 0, again.stderr);
    assert.deepEqual(again.stdout.trim().split('\n'), [
      `mediator ${MEDIATOR_URN}: unchanged (version 0.1.1)`,
      'channel "CHT FHIR push": unchanged',
      'channel "FHIR to CHT": unchanged',
      'client "cht-outbound": unchanged',
    ]);
    // The client it made logs in: a push through the router as cht-outbound lands.
    const res = await rawRequest(`${openhim.routerUrl}/cht-fhir/push`, {
      method: 'POST',
      headers: { authorization: basic('cht-outbound', 'cli-client-pw'), 'content-type': 'application/json' },
      body: JSON.stringify(patientDoc(3).body),
      timeoutMs: 30_000,
    });
    assert.equal(res.status, 200, res.text);
    const changed = await run(['openhim'], { ...env, OPENHIM_CLIENT_PASSWORD: 'rotated' });
    assert.match(changed.stdout, /client "cht-outbound": updated \(password\)/);
  });

  it('`cht-fhir openhim` with missing settings names each one and exits 1', async () => {
    const r = await run(['openhim'], {
      OPENHIM_API_URL: '',
      OPENHIM_USERNAME: '',
      OPENHIM_PASSWORD: '',
      RECEIVER_USERNAME: '',
      RECEIVER_PASSWORD: '',
      MEDIATOR_HOST: '',
    });
    assert.equal(r.code, 1);
    for (const v of ['OPENHIM_API_URL', 'OPENHIM_PASSWORD', 'RECEIVER_USERNAME', 'MEDIATOR_HOST']) assert.match(r.stderr, new RegExp(v));
  });
});
