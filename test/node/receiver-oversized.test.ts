import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { startFhirServer, type FhirServer } from '../../src/doubles/fhir-store';
import { startReceiver, type Receiver } from '../../src/runtime/receiver';
import { ROOT, referenceModel } from '../../harness/repo';
import { startChtStandIn, type ChtStandIn } from '../../harness/stand-ins/cht-api';
import { sampleContacts } from '../../harness/samples';
import { CREDS, AUTH, mapLimit } from '../../harness/receiver-stack';
import { rawRequest } from '../../harness/stand-ins/raw-http';

/**
 * Finding 5 of issue 13: a body over the limit (5 MB) gets its 413, never a
 * connection reset, whatever the client and framing: Node's http client,
 * undici (global fetch) and curl, with Content-Length (as OpenHIM sends)
 * and chunked.
 */
describe('receiver: oversized bodies get a 413, not a reset', function () {
  this.timeout(120000);
  let fhir: FhirServer;
  let cht: ChtStandIn;
  let receiver: Receiver;
  const big = Buffer.alloc(5.5 * 1024 * 1024, 'a');
  const file = path.join(os.tmpdir(), `oversized-${process.pid}.json`);
  const url = () => `${receiver.url}/fhir/ServiceRequest`;

  before(async () => {
    fs.writeFileSync(file, big);
    fhir = await startFhirServer();
    cht = await startChtStandIn({ forms: JSON.parse(fs.readFileSync(path.join(ROOT, 'app_settings/forms.json'), 'utf8')), docs: sampleContacts() });
    receiver = await startReceiver({ auth: CREDS, fhirBaseUrl: fhir.url, inbound: { chtUrl: cht.urlWithCredentials, model: referenceModel() } });
  });
  after(async () => {
    fs.rmSync(file, { force: true });
    await receiver.close();
    await cht.close();
    await fhir.close();
  });

  it('node http, Content-Length: 20 concurrent POSTs of 5.5 MB all answer 413', async () => {
    const answers = await mapLimit(
      Array.from({ length: 20 }, (_, i) => i),
      20,
      () => rawRequest(url(), { method: 'POST', headers: { authorization: AUTH, 'content-type': 'application/fhir+json' }, body: big, timeoutMs: 30000 }),
    );
    assert.deepEqual(
      answers.map((a) => a.status),
      new Array(20).fill(413),
    );
    assert.match(answers[0].text, /too-costly/);
  });

  it('node http, chunked', async () => {
    const chunks = function* () {
      for (let i = 0; i < 11; i++) yield Buffer.alloc(512 * 1024, 'b');
    };
    const res = await rawRequest(url(), {
      method: 'POST',
      headers: { authorization: AUTH, 'content-type': 'application/fhir+json' },
      body: chunks,
      timeoutMs: 30000,
    });
    assert.equal(res.status, 413);
  });

  it('undici fetch, Content-Length and chunked', async () => {
    const headers = { authorization: AUTH, 'content-type': 'application/fhir+json' };
    const withLength = await fetch(url(), { method: 'POST', headers, body: big });
    assert.equal(withLength.status, 413);
    const stream = new ReadableStream({
      start(c) {
        for (let i = 0; i < 11; i++) c.enqueue(new Uint8Array(512 * 1024).fill(99));
        c.close();
      },
    });
    const chunked = await fetch(url(), { method: 'POST', headers, body: stream, duplex: 'half' } as RequestInit);
    assert.equal(chunked.status, 413);
  });

  it('curl, Content-Length (with Expect: 100-continue) and chunked', async () => {
    const run = promisify(execFile);
    for (const extra of [[], ['-H', 'Transfer-Encoding: chunked'], ['-H', 'Expect:']]) {
      const { stdout } = await run('curl', [
        '-s',
        '-o',
        '/dev/null',
        '-w',
        '%{http_code}',
        '-u',
        `${CREDS.username}:${CREDS.password}`,
        '-H',
        'content-type: application/fhir+json',
        ...extra,
        '--data-binary',
        `@${file}`,
        url(),
      ]);
      assert.equal(stdout, '413', extra.join(' '));
    }
  });

  it('a slow sender (as over a real network) writes its whole body without a reset, then reads the 413', async () => {
    const { port } = new URL(receiver.url);
    const socket = net.connect(Number(port), '127.0.0.1');
    const received: Buffer[] = [];
    let failed: Error | undefined;
    socket.on('data', (c) => received.push(c));
    socket.on('error', (e) => (failed = e));
    await new Promise((r) => socket.once('connect', r));
    socket.write(
      `POST /fhir/ServiceRequest HTTP/1.1\r\nhost: x\r\nauthorization: ${AUTH}\r\ncontent-type: application/fhir+json\r\ncontent-length: ${big.length}\r\n\r\n`,
    );
    for (let off = 0; off < big.length && !failed; off += 256 * 1024) {
      await new Promise((r) => socket.write(big.subarray(off, off + 256 * 1024), r));
      await new Promise((r) => setTimeout(r, 5));
    }
    await new Promise((r) => setTimeout(r, 200));
    socket.destroy();
    assert.equal(failed, undefined, 'no reset while sending');
    assert.match(Buffer.concat(received).toString('latin1'), /^HTTP\/1\.1 413/);
  });

  it('the connection stays usable after a drained 413', async () => {
    const first = await fetch(url(), { method: 'POST', headers: { authorization: AUTH, 'content-type': 'application/fhir+json' }, body: big });
    assert.equal(first.status, 413);
    assert.equal((await fetch(`${receiver.url}/health`)).status, 200);
  });
});
