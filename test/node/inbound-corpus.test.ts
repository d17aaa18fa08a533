import { strict as assert } from 'node:assert';
import fs from 'node:fs';
import path from 'node:path';
import { startFhirServer, type FhirServer } from '../../src/doubles/fhir-store';
import { startReceiver, type Receiver } from '../../src/runtime/receiver';
import { compileDefinitions } from '../../src/compiler/definitions/compile';
import { systems } from '../../src/core/identity';
import { ROOT, referenceModel } from '../../harness/repo';
import { startChtStandIn, type ChtStandIn } from '../../harness/stand-ins/cht-api';
import { sampleContacts } from '../../harness/samples';
import { CREDS, AUTH, mapLimit } from '../../harness/receiver-stack';
import { rawRequest } from '../../harness/stand-ins/raw-http';

/**
 * A bad-input corpus, generated: every request is refused with a 4xx
 * OperationOutcome and CHT sees no write (and no call that could write).
 * Classes: FHIR id rule, impossible calendar dates, empty elements (ele-1),
 * active narrative, codes outside required bindings, unknown properties,
 * contained resources nothing refers to (dom-3),
 * wrong JSON types, URL/body mismatches, non-resources, bad Bundles.
 */
const sr = (chtId: string) => ({
  resourceType: 'ServiceRequest',
  id: 'corpus-sr',
  status: 'active',
  intent: 'order',
  subject: { identifier: { system: chtId, value: 'child-1' } },
});
const patient = (chtId: string) => ({
  resourceType: 'Patient',
  id: 'corpus-p',
  name: [{ text: 'A B' }],
  managingOrganization: { identifier: { system: chtId, value: 'hh-1' } },
});

type Case = { name: string; method: string; path: string; body: unknown };

function corpus(chtId: string): Case[] {
  const out: Case[] = [];
  const add = (name: string, type: 'ServiceRequest' | 'Patient', over: Record<string, unknown>, method = 'POST') => {
    const body = { ...(type === 'Patient' ? patient(chtId) : sr(chtId)), ...over };
    out.push({ name, method, path: method === 'PUT' ? `/fhir/${type}/${encodeURIComponent(String(body.id))}` : `/fhir/${type}`, body });
  };
  const badIds = [
    '<script>alert(1)</script>',
    'a/b',
    'x'.repeat(65),
    'a b',
    'a_b',
    'a#b',
    'a?b',
    'é',
    'a:b',
    'a,b',
    "a'b",
    'a"b',
    'a\\b',
    'a+b',
    'a@b',
    '',
    ' ',
    'a\nb',
    'a*b',
    'a%20b',
    '日本',
    'a;b',
    '(a)',
    '[a]',
    '{a}',
    'a|b',
    'a~b',
    'a!b',
    'a$b',
    'a=b',
  ];
  for (const id of badIds) for (const t of ['ServiceRequest', 'Patient'] as const) add(`${t} id ${JSON.stringify(id)}`, t, { id });
  for (const id of badIds) add(`PUT ServiceRequest/${JSON.stringify(id)}`, 'ServiceRequest', { id }, 'PUT');
  const badDates = [
    '2023-02-29',
    '2023-02-30',
    '2024-02-30',
    '2023-04-31',
    '2023-06-31',
    '2023-09-31',
    '2023-11-31',
    '2023-13-01',
    '2023-00-10',
    '2023-01-00',
    '2023-01-32',
    '1900-02-29',
    '2100-02-29',
    '2023-02-31T10:00:00Z',
    '2023-13',
  ];
  for (const d of badDates) {
    add(`authoredOn ${d}`, 'ServiceRequest', { authoredOn: d });
    add(`occurrenceDateTime ${d}`, 'ServiceRequest', { occurrenceDateTime: d });
    if (!d.includes('T')) add(`birthDate ${d}`, 'Patient', { birthDate: d });
  }
  for (const [k, v] of Object.entries({
    code: {},
    requester: {},
    reasonCode: [{}],
    note: [{}],
    category: [{}],
    priority: {},
    subject: {},
    meta: {},
    text: {},
    identifier: [{}],
  }))
    add(`empty ${k}`, 'ServiceRequest', { [k]: v });
  for (const [k, v] of Object.entries({
    name: [{}],
    telecom: [{}],
    address: [{}],
    identifier: [{}],
    managingOrganization: {},
    contact: [{}],
    maritalStatus: {},
  }))
    add(`empty ${k}`, 'Patient', { [k]: v });
  const active = [
    '<script>alert(1)</script>',
    '<img src=x onerror=alert(1)>',
    '<a href="javascript:alert(1)">x</a>',
    '<iframe src="x"></iframe>',
    '<object data="x"></object>',
    '<embed src="x">',
    '<form action="x"></form>',
    '<style>body{}</style>',
    '<p onclick="x()">x</p>',
    '<SCRIPT>x</SCRIPT>',
    '<div onmouseover = "x">y</div>',
    '< script>x</script>',
  ];
  for (const [i, a] of active.entries())
    for (const t of ['ServiceRequest', 'Patient'] as const)
      add(`narrative ${i}`, t, { text: { status: 'generated', div: `<div xmlns="http://www.w3.org/1999/xhtml">${a}</div>` } });
  for (const s of ['bogus', 'ACTIVE', 'open', 'done', 'cancelled', 'in-progress', '', 'active ', 'final', 'unknown2'])
    add(`status ${JSON.stringify(s)}`, 'ServiceRequest', { status: s });
  for (const s of ['bogus', 'ORDER', 'request', 'referral', '']) add(`intent ${JSON.stringify(s)}`, 'ServiceRequest', { intent: s });
  for (const s of ['asap ', 'high', 'low', 'URGENT', '']) add(`priority ${JSON.stringify(s)}`, 'ServiceRequest', { priority: s });
  for (const s of ['f', 'm', 'Female', 'woman', '']) add(`gender ${JSON.stringify(s)}`, 'Patient', { gender: s });
  for (const k of ['foo', 'Status', 'subjectId', 'patient', 'authored_on', 'reason', 'birthdate', 'nickname', 'mrn', '__proto__x'])
    add(`unknown ${k}`, k.startsWith('b') || k === 'nickname' || k === 'mrn' ? 'Patient' : 'ServiceRequest', { [k]: 'x' });
  const wrongTypes: Array<['ServiceRequest' | 'Patient', string, unknown]> = [
    ['ServiceRequest', 'status', 1],
    ['ServiceRequest', 'intent', true],
    ['ServiceRequest', 'subject', 'Patient/x'],
    ['ServiceRequest', 'reasonCode', { text: 'x' }],
    ['ServiceRequest', 'authoredOn', 20230101],
    ['ServiceRequest', 'code', 'x'],
    ['ServiceRequest', 'note', 'x'],
    ['ServiceRequest', 'priority', 2],
    ['ServiceRequest', 'doNotPerform', 'yes'],
    ['ServiceRequest', 'occurrenceDateTime', {}],
    ['Patient', 'birthDate', 19870101],
    ['Patient', 'name', 'A B'],
    ['Patient', 'active', 'true'],
    ['Patient', 'gender', 1],
    ['Patient', 'telecom', { system: 'phone' }],
    ['Patient', 'deceasedBoolean', 'no'],
    ['Patient', 'multipleBirthInteger', 1.5],
    ['Patient', 'identifier', 'MRN-1'],
    ['Patient', 'managingOrganization', 'Organization/x'],
    ['Patient', 'birthDate', '01/02/1987'],
  ];
  for (const [t, k, v] of wrongTypes) add(`${t}.${k} = ${JSON.stringify(v)}`, t, { [k]: v });
  add('resourceType mismatch', 'ServiceRequest', { resourceType: 'Patient' });
  add('PUT id mismatch', 'ServiceRequest', { id: 'other' }, 'PUT');
  out.at(-1)!.path = '/fhir/ServiceRequest/not-other';
  add('no id, no identifier', 'ServiceRequest', { id: undefined });
  // dom-3, which @medplum/core skips: a contained resource nothing refers to.
  const practitioner = { resourceType: 'Practitioner', name: [{ text: 'Dr Achieng' }] };
  add('dom-3: contained without id, referenced by nothing', 'ServiceRequest', { contained: [practitioner] });
  add('dom-3: contained with an id nothing refers to', 'ServiceRequest', { contained: [{ ...practitioner, id: 'dr' }], requester: { display: 'Dr' } });
  add('dom-3: one of two contained unreferenced', 'ServiceRequest', {
    contained: [
      { ...practitioner, id: 'dr' },
      { ...practitioner, id: 'dr2' },
    ],
    requester: { reference: '#dr' },
  });
  add('dom-3: on a Patient, PUT', 'Patient', { contained: [{ resourceType: 'Organization', id: 'org', name: 'X' }] }, 'PUT');
  add('unmapped type in URL and body', 'ServiceRequest', { resourceType: 'Observation' });
  out.at(-1)!.path = '/fhir/Observation';
  for (const body of [
    [],
    'text',
    42,
    null,
    true,
    '{"resourceType":',
    '{}',
    '{"resourceType":"ServiceRequest"',
    '\u0000',
    '[{"resourceType":"ServiceRequest"}]',
  ]) {
    out.push({
      name: `not a resource ${JSON.stringify(body)}`,
      method: 'POST',
      path: '/fhir/ServiceRequest',
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
  }
  const entry = (resource: unknown, request: unknown) => ({ resource, request });
  const bundles: unknown[] = [
    { resourceType: 'Bundle', type: 'collection', entry: [] },
    { resourceType: 'Bundle', type: 'document' },
    { resourceType: 'Bundle', type: 'transaction', entry: [entry(sr(chtId), { method: 'DELETE', url: 'ServiceRequest/corpus-sr' })] },
    { resourceType: 'Bundle', type: 'transaction', entry: [entry(sr(chtId), { method: 'GET', url: 'ServiceRequest' })] },
    { resourceType: 'Bundle', type: 'transaction', entry: [entry(sr(chtId), { method: 'PUT', url: 'ServiceRequest' })] },
    { resourceType: 'Bundle', type: 'transaction', entry: [entry({ ...sr(chtId), authoredOn: '2023-02-30' }, { method: 'POST', url: 'ServiceRequest' })] },
    {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [entry(patient(chtId), { method: 'POST', url: 'Patient' }), entry({ ...sr(chtId), id: 'a/b' }, { method: 'POST', url: 'ServiceRequest' })],
    },
    { resourceType: 'Bundle', type: 'transaction', entry: [entry({ ...patient(chtId), birthDate: '1990-02-30' }, { method: 'PUT', url: 'Patient/corpus-p' })] },
    { resourceType: 'Patient', type: 'transaction' },
    { resourceType: 'Bundle', type: 'transaction', entry: [entry(sr(chtId), { method: 'PUT', url: 'ServiceRequest/other-id' })] },
    { resourceType: 'Bundle', type: 'transaction', entry: [null] },
    { resourceType: 'Bundle', type: 'transaction', entry: [entry(patient(chtId), { method: 'PUT', url: 'Patient/corpus-p' }), 'entry'] },
  ];
  for (const [i, b] of bundles.entries()) out.push({ name: `bundle ${i}`, method: 'POST', path: '/fhir', body: b });
  return out;
}

describe('FHIR -> CHT bad-input corpus: 4xx OperationOutcome, zero CHT writes', function () {
  this.timeout(180000);
  let fhir: FhirServer;
  let cht: ChtStandIn;
  let receiver: Receiver;
  const chtId = systems(compileDefinitions(ROOT).model.deployment).chtId;

  before(async () => {
    fhir = await startFhirServer();
    cht = await startChtStandIn({ forms: JSON.parse(fs.readFileSync(path.join(ROOT, 'app_settings/forms.json'), 'utf8')), docs: sampleContacts() });
    receiver = await startReceiver({ auth: CREDS, fhirBaseUrl: fhir.url, inbound: { chtUrl: cht.urlWithCredentials, model: referenceModel() } });
  });
  after(async () => {
    await receiver.close();
    await cht.close();
    await fhir.close();
  });

  it('holds at least 250 requests', () => assert.ok(corpus(chtId).length >= 250, String(corpus(chtId).length)));

  it('refuses every one', async () => {
    const cases = corpus(chtId);
    const answers = await mapLimit(cases, 8, (c) =>
      rawRequest(`${receiver.url}${c.path}`, {
        method: c.method,
        headers: { authorization: AUTH, 'content-type': 'application/fhir+json' },
        body: typeof c.body === 'string' ? c.body : JSON.stringify(c.body),
        timeoutMs: 15000,
      }),
    );
    const wrong = answers
      .map((a, i) => ({ a, c: cases[i] }))
      .filter(({ a }) => a.status < 400 || a.status >= 500 || !a.text.startsWith('{"resourceType":"OperationOutcome"'));
    assert.deepEqual(
      wrong.map(({ a, c }) => `${c.name}: ${a.status} ${a.text.slice(0, 200)}`),
      [],
    );
    assert.equal(cht.writes, 0);
    const writeRoutes = Object.keys(cht.calls).filter((r) => !r.startsWith('GET ') && !r.startsWith('HEAD '));
    assert.deepEqual(writeRoutes, [], 'no write call reached CHT');
  });
});
