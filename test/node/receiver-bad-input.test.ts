import { strict as assert } from 'node:assert';
import http from 'node:http';
import net from 'node:net';
import { preloadR4Definitions } from '../../src/fhir-validation';
import { startFhirServer } from '../../src/doubles/fhir-store';
import { DEFAULT_BODY_LIMIT, MAX_ENTRIES } from '../../src/runtime/receiver';
import { patientDoc, reportDoc } from '../../harness/stand-ins/push-bundles';
import { rawRequest, type RawRequest } from '../../harness/stand-ins/raw-http';
import { startFaultProxy, type FaultProxy } from '../../harness/stand-ins/fault-proxy';
import { AUTH, push, startStack, storedResources, type Stack } from '../../harness/receiver-stack';

interface BadCase {
  name: string;
  path?: string;
  req: RawRequest;
}

const JSON_HEADERS = { authorization: AUTH, 'content-type': 'application/json' };
const post = (name: string, body: string | Buffer | (() => Iterable<Buffer>), headers: Record<string, string | number> = JSON_HEADERS): BadCase => ({
  name,
  req: { method: 'POST', headers, body },
});
const postJson = (name: string, value: unknown) => post(name, JSON.stringify(value));

/** A valid push to break in one place. */
function base(): any {
  return JSON.parse(JSON.stringify(reportDoc(1).body));
}
function mutate(name: string, change: (b: any) => void): BadCase {
  const b = base();
  change(b);
  return postJson(name, b);
}
const patientWith = (fields: Record<string, unknown>) => {
  const b = JSON.parse(JSON.stringify(patientDoc(1).body));
  Object.assign(b.bundle.entry[0].resource, fields);
  return b;
};

function corpus(): BadCase[] {
  const cases: BadCase[] = [];
  // Invalid JSON
  const badJson = [
    '',
    ' ',
    '{',
    '}',
    '{"bundle":',
    '{"bundle": {]}',
    "{'bundle': 1}",
    '{"a":1,}',
    '[1,2,,3]',
    'NaN',
    'undefined',
    '{"a": NaN}',
    '{"a": Infinity}',
    '/* c */ {}',
    '{"a": 01}',
    '{"a": "\u0000"',
    '\u00ef\u00bb\u00bf{"a":1',
    'tru',
    '{"bundle": {"resourceType": "Bundle",}}',
    '{"a": "x\\q"}',
    '"just a string',
    '{"a":1}{"b":2}',
    '\x00\x01\x02',
    '{"a": [1, 2}',
    '<xml/>',
  ];
  badJson.forEach((b, i) => cases.push(post(`invalid JSON #${i}: ${JSON.stringify(b).slice(0, 30)}`, b)));
  // Valid JSON, wrong shape
  const shapes: unknown[] = [
    null,
    true,
    1,
    'bundle',
    [],
    [base()],
    {},
    { bundle: null },
    { bundle: [] },
    { bundle: 'x' },
    { bundle: base().bundle, extra: 1 },
    { Bundle: base().bundle },
    { bundles: [base().bundle] },
    { data: base().bundle },
  ];
  shapes.forEach((s, i) => cases.push(postJson(`wrong shape #${i}: ${JSON.stringify(s).slice(0, 40)}`, s)));
  // Wrong content types
  for (const type of [
    'text/plain',
    'application/xml',
    'application/fhir+xml',
    'multipart/form-data; boundary=x',
    'application/x-www-form-urlencoded',
    'application/jsonp',
    'json',
    'text/json',
    'application/octet-stream',
    '',
  ]) {
    const headers: Record<string, string> = { authorization: AUTH };
    if (type) headers['content-type'] = type;
    cases.push(post(`content type ${JSON.stringify(type)}`, JSON.stringify(base()), headers));
  }
  // Too large: declared and streamed
  const big = Buffer.alloc(DEFAULT_BODY_LIMIT + 1, 0x20);
  cases.push(post('declared body over the limit', big));
  cases.push(post('streamed (chunked) body over the limit', () => chunks(DEFAULT_BODY_LIMIT * 3)));
  cases.push(
    post(
      'JSON string over the limit',
      JSON.stringify({ bundle: { resourceType: 'Bundle', type: 'transaction', entry: [], note: 'x'.repeat(DEFAULT_BODY_LIMIT) } }),
    ),
  );
  // Deep nesting
  for (const depth of [60, 500, 5000, 100000]) {
    cases.push(post(`nested arrays ${depth} deep`, '['.repeat(depth) + ']'.repeat(depth)));
    cases.push(mutate(`extension nested ${depth} deep`, (b) => (b.bundle.entry[0].resource.extension = [nestExt(Math.min(depth, 2000))])));
  }
  cases.push(post('nested objects 100000 deep in the bundle', `{"bundle":${'{"a":'.repeat(100000)}1${'}'.repeat(100000)}}`));
  // Prototype pollution keys
  for (const key of ['__proto__', 'constructor', 'prototype']) {
    cases.push(post(`${key} at the root`, `{"bundle": ${JSON.stringify(base().bundle)}, "${key}": {"polluted": true}}`));
    cases.push(post(`${key} in the bundle`, JSON.stringify(base()).replace('"type":"transaction"', `"type":"transaction","${key}":{"polluted":true}`)));
    cases.push(post(`${key} in a resource`, JSON.stringify(base()).replace('"status":"finished"', `"status":"finished","${key}":{"isAdmin":true}`)));
    cases.push(post(`${key} in a datatype`, JSON.stringify(base()).replace('"code":"HH"', `"code":"HH","${key}":{"x":1}`)));
  }
  // Wrong resource types
  const types: [string, unknown][] = [
    ['a bare Patient', patientDoc(1).body.bundle.entry![0].resource],
    ['a bare Observation', reportDoc(1).body.bundle.entry![1].resource],
    ['an OperationOutcome', { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'x' }] }],
    ['a Parameters', { resourceType: 'Parameters' }],
    ['an unknown resourceType', { resourceType: 'Foo' }],
    ['{bundle: Patient}', { bundle: patientDoc(1).body.bundle.entry![0].resource }],
    ['lowercase bundle', { bundle: { ...base().bundle, resourceType: 'bundle' } }],
  ];
  for (const [name, v] of types) cases.push(postJson(name, v));
  for (const type of ['batch', 'collection', 'document', 'message', 'searchset', 'history', 'transaction-response', 'Transaction', '', 5])
    cases.push(mutate(`Bundle.type ${JSON.stringify(type)}`, (b) => (b.bundle.type = type)));
  for (const t of ['Foo', 'patient', 'Resource', 'DomainResource', 'Bundle2', '', 7, null])
    cases.push(mutate(`entry resourceType ${JSON.stringify(t)}`, (b) => (b.bundle.entry[0].resource.resourceType = t)));
  // Invalid codes (required bindings)
  for (const g of ['boy', 'girl', 'F', 'M', 'Female', 'MALE', 'f', 'x', 'woman', 'unknown ', ''])
    cases.push(postJson(`Patient.gender ${JSON.stringify(g)}`, patientWith({ gender: g })));
  for (const s of ['done', 'Final', 'complete', 'finished', 'ok', 'FINAL', 'final ', 'registered1'])
    cases.push(mutate(`Observation.status ${JSON.stringify(s)}`, (b) => (b.bundle.entry[1].resource.status = s)));
  for (const s of ['done', 'closed', 'Finished', 'complete', 'ended'])
    cases.push(mutate(`Encounter.status ${JSON.stringify(s)}`, (b) => (b.bundle.entry[0].resource.status = s)));
  for (const c of ['==', '~', 'gt', 'lt', '=>'])
    cases.push(mutate(`Quantity.comparator ${JSON.stringify(c)}`, (b) => (b.bundle.entry[1].resource.valueQuantity.comparator = c)));
  for (const u of ['office', 'cell', 'mailing']) cases.push(postJson(`Address.use ${u}`, patientWith({ address: [{ use: u, city: 'X' }] })));
  for (const s of ['mobile', 'cell', 'whatsapp']) cases.push(postJson(`ContactPoint.system ${s}`, patientWith({ telecom: [{ system: s, value: '+1' }] })));
  for (const u of ['alias', 'legal ', 'primary']) cases.push(postJson(`HumanName.use ${u}`, patientWith({ name: [{ use: u, text: 'A' }] })));
  // Invalid dates
  const dates = [
    '12/01/2020',
    '2020-13-01',
    '2020-02-30x',
    '2020/01/01',
    '20200101',
    '2020-1-1',
    '01-01-2020',
    'yesterday',
    '2020-01-01T',
    '2020-00-10',
    '2020-01-32',
    '99999-01-01',
    '2020-01-01 10:00',
    '',
    'T10:00',
    '2020-01-01T25:00:00Z',
  ];
  dates.forEach((d) => cases.push(postJson(`birthDate ${JSON.stringify(d)}`, patientWith({ birthDate: d }))));
  const dateTimes = [
    '2024-01-01T10:00',
    '2024-01-01T10:00:00',
    '2024-01-01 10:00:00Z',
    '2024-01-01T10:00:00+2',
    '2024-01-01T10:61:00Z',
    'now',
    '1700000000000',
    '2024-01-01T10:00:00.Z',
  ];
  dateTimes.forEach((d) => cases.push(mutate(`effectiveDateTime ${JSON.stringify(d)}`, (b) => (b.bundle.entry[1].resource.effectiveDateTime = d))));
  cases.push(mutate('effectiveDateTime as a number', (b) => (b.bundle.entry[1].resource.effectiveDateTime = 1700000000000)));
  // Other invalid R4
  cases.push(mutate('unknown property', (b) => (b.bundle.entry[1].resource.weight = 50)));
  cases.push(mutate('missing Observation.code', (b) => delete b.bundle.entry[1].resource.code));
  cases.push(mutate('missing Observation.status', (b) => delete b.bundle.entry[1].resource.status));
  cases.push(mutate('value as string', (b) => (b.bundle.entry[1].resource.valueQuantity.value = '50')));
  cases.push(mutate('null value', (b) => (b.bundle.entry[1].resource.issued = null)));
  cases.push(mutate('empty object', (b) => (b.bundle.entry[1].resource.code = {})));
  cases.push(mutate('empty array', (b) => (b.bundle.entry[1].resource.performer = [])));
  cases.push(mutate('array where one value belongs', (b) => (b.bundle.entry[1].resource.status = ['final'])));
  cases.push(mutate('object where an array belongs', (b) => (b.bundle.entry[1].resource.performer = { reference: 'Practitioner/1' })));
  cases.push(mutate('two value[x]', (b) => (b.bundle.entry[1].resource.valueString = 'x')));
  cases.push(mutate('string too long', (b) => (b.bundle.entry[1].resource.code.text = 'x'.repeat(1024 * 1024 + 1))));
  cases.push(mutate('whitespace-only string', (b) => (b.bundle.entry[1].resource.code.text = '   ')));
  cases.push(mutate('bad id characters', (b) => (b.bundle.entry[0].resource.meta = { versionId: 'a b' })));
  cases.push(mutate('boolean as string', (b) => (b.bundle.entry[0].resource.class.userSelected = 'true')));
  cases.push(mutate('extension without url', (b) => (b.bundle.entry[0].resource.extension = [{ valueString: 'x' }])));
  cases.push(
    mutate(
      'extension with value and extensions',
      (b) => (b.bundle.entry[0].resource.extension = [{ url: 'http://x', valueString: 'x', extension: [{ url: 'http://y', valueString: 'y' }] }]),
    ),
  );
  cases.push(mutate('a non-object entry resource', (b) => (b.bundle.entry[0].resource = 5)));
  // The push contract
  cases.push(mutate('no entries', (b) => (b.bundle.entry = [])));
  cases.push(mutate('entry not an array', (b) => (b.bundle.entry = b.bundle.entry[0])));
  cases.push(mutate('entry without resource', (b) => delete b.bundle.entry[0].resource));
  cases.push(mutate('resource without id', (b) => delete b.bundle.entry[0].resource.id));
  cases.push(mutate('id with a slash', (b) => (b.bundle.entry[0].resource.id = 'a/b')));
  cases.push(mutate('id too long', (b) => (b.bundle.entry[0].resource.id = 'a'.repeat(65))));
  cases.push(mutate('id with a space', (b) => (b.bundle.entry[0].resource.id = 'a b')));
  cases.push(mutate('fullUrl missing', (b) => delete b.bundle.entry[0].fullUrl));
  cases.push(mutate('fullUrl of another id', (b) => (b.bundle.entry[0].fullUrl = 'urn:uuid:00000000-0000-0000-0000-000000000000')));
  cases.push(mutate('fullUrl absolute', (b) => (b.bundle.entry[0].fullUrl = `http://x/Encounter/${b.bundle.entry[0].resource.id}`)));
  for (const m of ['POST', 'DELETE', 'GET', 'PATCH', 'put', undefined])
    cases.push(mutate(`request.method ${m}`, (b) => (b.bundle.entry[0].request.method = m)));
  cases.push(mutate('request.url of another id', (b) => (b.bundle.entry[0].request.url = 'Encounter/other')));
  cases.push(mutate('request.url of another type', (b) => (b.bundle.entry[0].request.url = `Patient/${b.bundle.entry[0].resource.id}`)));
  cases.push(mutate('request.url conditional', (b) => (b.bundle.entry[0].request.url = 'Encounter?identifier=x')));
  cases.push(mutate('request missing', (b) => delete b.bundle.entry[0].request));
  cases.push(mutate('duplicate entry', (b) => b.bundle.entry.push(b.bundle.entry[0])));
  cases.push(
    mutate('urn:uuid reference to no entry', (b) => (b.bundle.entry[1].resource.subject = { reference: 'urn:uuid:6f1c1b6e-0000-5000-8000-000000000000' })),
  );
  cases.push(
    mutate(`more than ${MAX_ENTRIES} entries`, (b) => {
      const e = b.bundle.entry[1];
      b.bundle.entry = Array.from({ length: MAX_ENTRIES + 1 }, (_x, i) => {
        const id = `obs-${i}`;
        return { ...e, fullUrl: `urn:uuid:${id}`, resource: { ...e.resource, id, encounter: undefined }, request: { method: 'PUT', url: `Observation/${id}` } };
      });
    }),
  );
  // Unknown paths and methods
  for (const path of [
    '/',
    '/cht-fhir',
    '/cht-fhir/',
    '/cht-fhir/push/',
    '/cht-fhir/push/extra',
    '/cht-fhir/pushx',
    '/CHT-FHIR/PUSH',
    '/fhir/R4',
    '/cht-fhir/../admin',
    '/cht-fhir/%2e%2e/push',
    '/health/x',
    '//cht-fhir/push',
    '/cht-fhir/push%00',
  ]) {
    cases.push({ name: `POST ${path}`, path, req: { method: 'POST', headers: JSON_HEADERS, body: JSON.stringify(base()) } });
  }
  for (const method of ['GET', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'TRACE'])
    cases.push({
      name: `${method} /cht-fhir/push`,
      req: { method, headers: JSON_HEADERS, ...(method === 'GET' || method === 'HEAD' || method === 'TRACE' ? {} : { body: JSON.stringify(base()) }) },
    });
  for (const method of ['POST', 'PUT', 'DELETE'])
    cases.push({ name: `${method} /health`, path: '/health', req: { method, headers: JSON_HEADERS, body: '{}' } });
  return cases;
}

function* chunks(total: number): Iterable<Buffer> {
  const chunk = Buffer.alloc(64 * 1024, 0x20);
  for (let sent = 0; sent < total; sent += chunk.length) yield chunk;
}

function nestExt(depth: number): Record<string, unknown> {
  let ext: Record<string, unknown> = { url: 'http://example.org/leaf', valueString: 'x' };
  for (let i = 0; i < depth; i++) ext = { url: `http://example.org/${i}`, extension: [ext] };
  return ext;
}

describe('receiver: a corpus of bad requests', function () {
  this.timeout(120000);
  let stack: Stack;
  let tap: FaultProxy;
  before(async () => {
    preloadR4Definitions();
    const fhir = await startFhirServer();
    tap = await startFaultProxy({ target: fhir.url, faultRate: 0 }); // counts FHIR calls, no faults
    stack = await startStack({ fhir, fhirBaseUrl: tap.url });
  });
  after(async () => {
    await stack?.close();
    await tap?.close();
    await stack?.fhir.close();
  });

  const all = corpus();
  it(`has at least 200 cases (${all.length})`, () => assert.ok(all.length >= 200, String(all.length)));

  for (const c of all) {
    it(`${c.name} -> 4xx OperationOutcome, no FHIR call`, async () => {
      const res = await rawRequest(stack.receiver.url + (c.path ?? '/cht-fhir/push'), {
        ...c.req,
        agent: new http.Agent({ keepAlive: false }),
        timeoutMs: 15000,
      });
      assert.ok(res.status >= 400 && res.status < 500, `${res.status} ${res.text.slice(0, 300)}`);
      if (c.req.method !== 'HEAD') {
        const body = res.json();
        assert.equal(body.resourceType, 'OperationOutcome');
        assert.ok(body.issue.length > 0 && body.issue.every((i: { severity: string }) => i.severity === 'error'), res.text.slice(0, 300));
      }
      assert.equal(tap.stats.calls, 0);
    });
  }

  it('bytes that are not HTTP get a 400 OperationOutcome', async () => {
    const { port } = new URL(stack.receiver.url);
    const text = await new Promise<string>((ok, ko) => {
      const socket = net.connect(Number(port), '127.0.0.1', () => socket.end('POST /cht-fhir/push HTTP/1.1\r\nContent-Length: abc\r\n\r\n{}'));
      const chunks: Buffer[] = [];
      socket.on('data', (c) => chunks.push(c));
      socket.on('end', () => ok(Buffer.concat(chunks).toString('utf8')));
      socket.on('error', ko);
    });
    assert.match(text, /^HTTP\/1\.1 400 /);
    assert.equal(JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4)).resourceType, 'OperationOutcome');
    assert.equal(tap.stats.calls, 0);
  });

  it('after the corpus nothing is stored, the receiver is healthy and still delivers', async () => {
    assert.equal((await storedResources(stack.fhir.repo)).size, 0);
    assert.equal((await rawRequest(`${stack.receiver.url}/health`)).status, 200);
    assert.equal((await push(stack.pushUrl, reportDoc(1).body)).status, 200);
    assert.equal((await storedResources(stack.fhir.repo)).size, 3);
  });
});
