import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { optionsFromEnv } from '../../src/runtime/receiver/config';
import { ROOT } from '../../harness/repo';
import { compiledReceiver } from '../../harness/stand-ins/receiver-process';

/** `npm run receiver` / `cht-fhir receiver`: configured by the environment, as docs/receiver.md documents. */
describe('the receiver command (environment configuration)', function () {
  this.timeout(60000);

  it('reads the documented variables', () => {
    const o = optionsFromEnv({
      PORT: '6000',
      HOST: '127.0.0.1',
      RECEIVER_USERNAME: 'cht',
      RECEIVER_PASSWORD: 'pw',
      FHIR_BASE_URL: 'http://fhir/R4',
      CORS_ORIGINS: 'https://a.org, https://b.org',
      CHT_URL: 'https://u:p@cht.example.org',
    });
    assert.equal(o.port, 6000);
    assert.deepEqual(o.auth, { username: 'cht', password: 'pw' });
    assert.equal(o.fhirBaseUrl, 'http://fhir/R4');
    assert.deepEqual(o.corsOrigins, ['https://a.org', 'https://b.org']);
    assert.deepEqual(o.inbound, { chtUrl: 'https://u:p@cht.example.org' });
    assert.equal(optionsFromEnv({ RECEIVER_USERNAME: 'a', RECEIVER_PASSWORD: 'b', FHIR_BASE_URL: 'http://fhir/R4' }).inbound, undefined);
  });

  it("registers with OpenHIM under MEDIATOR_HOST, or this machine's name rather than a wildcard address", () => {
    const base = {
      RECEIVER_USERNAME: 'a',
      RECEIVER_PASSWORD: 'b',
      FHIR_BASE_URL: 'http://fhir/R4',
      OPENHIM_API_URL: 'https://openhim:8080',
      OPENHIM_USERNAME: 'u',
      OPENHIM_PASSWORD: 'p',
    };
    assert.equal(optionsFromEnv({ ...base, MEDIATOR_HOST: 'receiver.internal' }).openhim?.mediatorHost, 'receiver.internal');
    assert.equal(optionsFromEnv(base).openhim?.mediatorHost, os.hostname());
    assert.equal(optionsFromEnv({ ...base, HOST: '10.0.0.5' }).openhim?.mediatorHost, '10.0.0.5');
  });

  it('names every missing or invalid variable at once', () => {
    assert.throws(
      () => optionsFromEnv({ PORT: 'eighty', OPENHIM_API_URL: 'https://openhim:8080', CHT_URL: 'not a url' }),
      (e: Error) =>
        /PORT must be a port number/.test(e.message) &&
        /RECEIVER_USERNAME and RECEIVER_PASSWORD are required/.test(e.message) &&
        /OPENHIM_API_URL, OPENHIM_USERNAME and OPENHIM_PASSWORD go together/.test(e.message) &&
        /CHT_URL must be a URL/.test(e.message) &&
        /FHIR_BASE_URL is required/.test(e.message),
    );
  });

  function start(env: NodeJS.ProcessEnv, args: string[] = [], command = [path.join(ROOT, 'bin/cht-fhir.js'), 'receiver']) {
    const child = spawn(process.execPath, [...command, ...args], { cwd: ROOT, env: { PATH: process.env.PATH, ...env } });
    let out = '';
    child.stdout.on('data', (c) => (out += c));
    child.stderr.on('data', (c) => (out += c));
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    const line = (msg: string) =>
      new Promise<Record<string, any>>((resolve, reject) => {
        const t = setInterval(() => {
          const found = out
            .split('\n')
            .filter(Boolean)
            .map((l) => {
              try {
                return JSON.parse(l);
              } catch {
                return {};
              }
            })
            .find((l) => l.msg === msg);
          if (found) {
            clearInterval(t);
            resolve(found);
          }
        }, 50);
        void exited.then(() => {
          clearInterval(t);
          reject(new Error(`exited before '${msg}': ${out}`));
        });
      });
    return { child, exited, line, output: () => out };
  }

  it('starts with the embedded FHIR store only with --embedded, warns that its data is lost, takes a push, and stops cleanly on SIGTERM', async () => {
    const r = start({ PORT: '0', HOST: '127.0.0.1', RECEIVER_USERNAME: 'cht', RECEIVER_PASSWORD: 's3cret' }, ['--embedded']);
    const listening = await r.line('receiver listening');
    const warned = r
      .output()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { level: string; msg: string })
      .find((l) => /embedded FHIR store/.test(l.msg));
    assert.equal(warned?.level, 'warn', r.output());
    assert.match(warned.msg, /LOST ON EXIT/);
    const base = `http://127.0.0.1:${listening.port}`;
    assert.equal((await fetch(`${base}/health`)).status, 200);
    const id = '0b5a3c2e-7d1f-5a4b-9c8d-1e2f3a4b5c6d';
    const patient = { resourceType: 'Patient', id, name: [{ text: 'A' }] };
    const bundle = {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [{ fullUrl: `urn:uuid:${id}`, resource: patient, request: { method: 'PUT', url: `Patient/${id}` } }],
    };
    const res = await fetch(`${base}/cht-fhir/push`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Basic ' + Buffer.from('cht:s3cret').toString('base64') },
      body: JSON.stringify({ bundle }),
    });
    assert.equal(res.status, 200, await res.text());
    r.child.kill('SIGTERM');
    assert.equal(await r.exited, 0);
    assert.match(r.output(), /"msg":"request".*"status":200/, 'the push was logged');
    assert.match(r.output(), /"msg":"receiver stopped"/, 'lines still pending at exit are written');
    assert.doesNotMatch(r.output(), /s3cret/, 'the password is never logged');
  });

  it('refuses to start without FHIR_BASE_URL (no silent in-memory store), saying what to set, exit 2', async () => {
    const r = start({ PORT: '0', HOST: '127.0.0.1', RECEIVER_USERNAME: 'cht', RECEIVER_PASSWORD: 's3cret' });
    assert.equal(await r.exited, 2, r.output());
    assert.match(r.output(), /FHIR_BASE_URL is required: set it to the FHIR R4 base URL/);
    assert.match(r.output(), /--embedded/);
  });

  it('refuses --embedded together with FHIR_BASE_URL, exit 2', async () => {
    const r = start({ PORT: '0', RECEIVER_USERNAME: 'cht', RECEIVER_PASSWORD: 's3cret', FHIR_BASE_URL: 'http://127.0.0.1:9/fhir' }, ['--embedded']);
    assert.equal(await r.exited, 2, r.output());
    assert.match(r.output(), /--embedded and FHIR_BASE_URL exclude each other/);
  });

  it('the compiled receiver.js refuses to start without FHIR_BASE_URL, and holds no embedded store', async () => {
    const dir = await compiledReceiver();
    const r = start({ PORT: '0', HOST: '127.0.0.1', RECEIVER_USERNAME: 'cht', RECEIVER_PASSWORD: 's3cret' }, [], [path.join(dir, 'receiver.js')]);
    assert.equal(await r.exited, 2, r.output());
    assert.match(r.output(), /FHIR_BASE_URL is required/);
    const code = fs.readFileSync(path.join(dir, 'receiver.js'), 'utf8');
    for (const marker of ['MemoryRepository', 'FhirRouter', 'startFhirServer'])
      assert.ok(!code.includes(marker), `receiver.js bundles the embedded store (${marker})`);
  });

  it('refuses to start without credentials, naming the variables, exit 2', async () => {
    const r = start({ PORT: '0' });
    assert.equal(await r.exited, 2);
    assert.match(r.output(), /RECEIVER_USERNAME and RECEIVER_PASSWORD are required/);
  });
});
