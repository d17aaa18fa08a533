import { strict as assert } from 'node:assert';
import type { FhirResource, OperationOutcome, Patient } from 'fhir/r4';
import { assertValidR4, preloadR4Definitions } from '../../src/fhir-validation';
import { startFhirServer, type FhirServer } from '../../src/doubles/fhir-store';
import { startHapi, type Hapi } from '../../harness/hapi';
import { fhirCall, outcomeText, transaction } from './fhir-http';
import { sourceVersionOf, withSourceVersion } from '../../src/core/source-version';

/**
 * What HAPI FHIR JPA (8.8, default settings) does where the receiver's
 * guarantees live, checked against HAPI itself, each beside what the
 * embedded store does with the same request (the differences the receiver
 * has to live with; docs/receiver.md, "HAPI FHIR JPA").
 */
describe('HAPI FHIR JPA itself, beside the embedded store', function () {
  this.timeout(240_000);
  let hapi: Hapi;
  let embedded: FhirServer;
  before(async () => {
    preloadR4Definitions();
    [hapi, embedded] = await Promise.all([startHapi(), startFhirServer()]);
  });
  after(async () => {
    await hapi?.stop();
    await embedded?.close();
  });

  const patient = (id: string, extra: Partial<Patient> = {}): Patient & { id: string } => {
    const p: Patient & { id: string } = { resourceType: 'Patient', id, gender: 'female', birthDate: '1990-04-02', ...extra };
    assertValidR4(p);
    return p;
  };
  const put = async (base: string, resources: (FhirResource & { id: string })[], request: Record<string, string>[] = []) =>
    fhirCall(base, 'POST', '', transaction(base, resources, request));

  it('PUT with a client id creates (201, version "1"); the same content again makes no new version (embedded: a new one)', async () => {
    const first = await put(hapi.url, [patient('hapi-a1')]);
    assert.equal(first.status, 200);
    assert.equal(first.json.entry[0].response.status, '201 Created');
    assert.equal(first.json.entry[0].response.etag, '1'); // bare, not W/"1"
    const again = await put(hapi.url, [patient('hapi-a1')]);
    assert.match(again.json.entry[0].response.status, /^200/);
    assert.equal(again.json.entry[0].response.outcome.issue[0].details.coding[0].code, 'SUCCESSFUL_UPDATE_NO_CHANGE');
    const read = await fhirCall(hapi.url, 'GET', 'Patient/hapi-a1');
    assert.equal(read.json.meta.versionId, '1');
    assert.equal(read.headers.get('etag'), 'W/"1"');

    await put(embedded.url, [patient('emb-a1')]);
    const v1 = (await fhirCall(embedded.url, 'GET', 'Patient/emb-a1')).json.meta.versionId;
    await put(embedded.url, [patient('emb-a1')]);
    assert.notEqual((await fhirCall(embedded.url, 'GET', 'Patient/emb-a1')).json.meta.versionId, v1);
    assert.equal((await embedded.repo.readHistory('Patient', 'emb-a1')).entry?.length, 2);
  });

  it('a purely numeric client id is refused with 400 (client id strategy ALPHANUMERIC); the embedded store takes it', async () => {
    const res = await put(hapi.url, [patient('12345')]);
    assert.equal(res.status, 400);
    assert.match(outcomeText(res.json), /HAPI-0960/);
    assert.equal((await put(embedded.url, [patient('12345')])).status, 200);
  });

  it('HAPI stamps meta.source "#<request id>", replacing any fragment pushed, and keeps the source-version extension as sent; the embedded store keeps both', async () => {
    const versioned = (id: string) =>
      withSourceVersion(patient(id), { source: 'urn:cht:medic', version: 7 }, 'https://fhir.example.org/StructureDefinition/source-version');
    await put(hapi.url, [patient('hapi-s1'), patient('hapi-s2', { meta: { source: 'urn:cht:medic#7' } }), versioned('hapi-s3')]);
    const [plain, sourced, extended] = await Promise.all(['Patient/hapi-s1', 'Patient/hapi-s2', 'Patient/hapi-s3'].map((k) => fhirCall(hapi.url, 'GET', k)));
    assert.match(plain.json.meta.source, /^#[A-Za-z0-9]+$/);
    assert.match(sourced.json.meta.source, /^urn:cht:medic#[A-Za-z0-9]+$/);
    assert.notEqual(sourced.json.meta.source, 'urn:cht:medic#7');
    // Where the receiver keeps the version: the extension survives, meta.source is provenance (and HAPI's request id).
    assertValidR4(extended.json);
    assert.deepEqual(sourceVersionOf(extended.json), { source: 'urn:cht:medic', version: 7 }, 'https://fhir.example.org/StructureDefinition/source-version');
    assert.match(extended.json.meta.source, /^urn:cht:medic#[A-Za-z0-9]+$/);
    await put(embedded.url, [patient('emb-s2', { meta: { source: 'urn:cht:medic#7' } }), versioned('emb-s3')]);
    assert.equal((await fhirCall(embedded.url, 'GET', 'Patient/emb-s2')).json.meta.source, 'urn:cht:medic#7');
    const emb = (await fhirCall(embedded.url, 'GET', 'Patient/emb-s3')).json;
    assert.deepEqual([emb.meta.source, sourceVersionOf(emb)], ['urn:cht:medic', { source: 'urn:cht:medic', version: 7 }]);
  });

  it('a PUT entry that creates answers "201 Created"; one that lands on a resource written meanwhile "200 OK" with the new version (what the create guard reads on HAPI)', async () => {
    const first = await put(hapi.url, [patient('hapi-c1')], [{ ifNoneMatch: '*' }]);
    assert.deepEqual([first.json.entry[0].response.status, first.json.entry[0].response.etag], ['201 Created', '1']);
    const second = await put(hapi.url, [patient('hapi-c1', { gender: 'other' })], [{ ifNoneMatch: '*' }]);
    assert.deepEqual([second.json.entry[0].response.status, second.json.entry[0].response.location], ['200 OK', 'Patient/hapi-c1/_history/2']);
  });

  it('instance history: HAPI cuts the list to a cached total (historyCountMode CACHED_ONLY_WITHOUT_OFFSET) unless _offset is given', async () => {
    await put(hapi.url, [patient('hapi-h1')]);
    assert.equal((await fhirCall(hapi.url, 'GET', 'Patient/hapi-h1/_history?_count=2')).json.total, 1);
    await put(hapi.url, [patient('hapi-h1', { gender: 'other' })]);
    const versions = async (query: string) =>
      (await fhirCall(hapi.url, 'GET', `Patient/hapi-h1/_history?${query}`)).json.entry.map((e: { resource: Patient }) => e.resource.meta?.versionId);
    assert.deepEqual(await versions('_count=2'), ['2'], 'the version before is missing');
    assert.deepEqual(await versions('_count=2&_offset=0'), ['2', '1']);
  });

  it('a batch GET of an absent id answers "404 Not Found" with an OperationOutcome inside a 200 batch-response', async () => {
    const res = await fhirCall(hapi.url, 'POST', '', {
      resourceType: 'Bundle',
      type: 'batch',
      entry: [{ request: { method: 'GET', url: 'Patient/hapi-a1' } }, { request: { method: 'GET', url: 'Patient/never-pushed' } }],
    });
    assert.equal(res.status, 200);
    assert.equal(res.json.type, 'batch-response');
    assert.deepEqual(
      res.json.entry.map((e: { response: { status: string } }) => e.response.status),
      ['200 OK', '404 Not Found'],
    );
    assert.match(outcomeText(res.json.entry[1].response.outcome), /HAPI-2001/);
    assert.equal(res.json.entry[0].resource.meta.versionId, '1');
  });

  it('If-Match inside a transaction entry is honoured: a stale one fails the whole transaction with 409 (embedded: 412) and HAPI rolls it all back (embedded: keeps the other entry)', async () => {
    for (const [server, id, status, rolledBack] of [
      [hapi.url, 'hapi', 409, true],
      [embedded.url, 'emb', 412, false],
    ] as const) {
      await put(server, [patient(`${id}-m1`)]);
      const res = await put(server, [patient(`${id}-m2`), patient(`${id}-m1`, { gender: 'male' })], [{}, { ifMatch: 'W/"999"' }]);
      assert.equal(res.status, status, server);
      assert.equal((res.json as OperationOutcome).resourceType, 'OperationOutcome');
      if (server === hapi.url) assert.match(outcomeText(res.json), /HAPI-0989.*not the current version/);
      assert.equal((await fhirCall(server, 'GET', `Patient/${id}-m2`)).status, rolledBack ? 404 : 200, server);
      assert.equal((await fhirCall(server, 'GET', `Patient/${id}-m1`)).json.gender, 'female', server);
    }
    const current = await fhirCall(hapi.url, 'GET', 'Patient/hapi-m1');
    const ok = await put(hapi.url, [patient('hapi-m1', { gender: 'male' })], [{ ifMatch: `W/"${current.json.meta.versionId}"` }]);
    assert.equal(ok.status, 200);
    assert.equal(ok.json.entry[0].response.etag, '2');
  });

  it('If-None-Match: * on a PUT entry: HAPI ignores it and overwrites; the embedded store refuses with 412 (the create guard of issue 16)', async () => {
    for (const [server, id, status, gender] of [
      [hapi.url, 'hapi-n1', 200, 'other'],
      [embedded.url, 'emb-n1', 412, 'female'],
    ] as const) {
      await put(server, [patient(id)]);
      const res = await put(server, [patient(id, { gender: 'other' })], [{ ifNoneMatch: '*' }]);
      assert.equal(res.status, status, server);
      assert.equal((await fhirCall(server, 'GET', `Patient/${id}`)).json.gender, gender, server);
    }
  });

  it('referential integrity on write (HAPI default): a reference to an absent resource fails the transaction with 400 HAPI-1094, nothing written; the embedded store writes it', async () => {
    const orphan = patient('hapi-r1', { managingOrganization: { reference: 'Organization/not-there' } });
    const res = await put(hapi.url, [patient('hapi-r2'), orphan]);
    assert.equal(res.status, 400);
    assert.match(outcomeText(res.json), /HAPI-1094: Resource Organization\/not-there not found, specified in path: Patient.managingOrganization/);
    assert.equal((await fhirCall(hapi.url, 'GET', 'Patient/hapi-r2')).status, 404);
    assert.equal((await put(embedded.url, [{ ...orphan, id: 'emb-r1' }])).status, 200);
  });
});
