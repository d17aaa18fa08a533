import { strict as assert } from 'node:assert';
import { startChtStandIn, type ChtStandIn, type ContactTypes } from '../../harness/stand-ins/cht-api';
import { sampleContacts } from '../../harness/samples';

/**
 * The CHT stand-in refuses what CHT refuses: each case is a rule of
 * cht-core's source (named in harness/stand-ins/cht-api.ts) that an earlier
 * stand-in let through, so the receiver's tests passed where CHT would not.
 */
const DECLARED: ContactTypes = [
  { id: 'district_hospital' },
  { id: 'health_center', parents: ['district_hospital'] },
  { id: 'clinic', parents: ['health_center'] },
  { id: 'person', parents: ['district_hospital', 'health_center', 'clinic'], person: true },
];

describe('CHT stand-in: the refusals of cht-core 5.2+', function () {
  this.timeout(30000);
  let cht: ChtStandIn;
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${cht.url}${path}`, {
      method,
      headers: { authorization: 'Basic ' + Buffer.from('medic-fhir:S3cret!pass').toString('base64'), ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    return { status: res.status, json: text ? JSON.parse(text) : undefined, etag: res.headers.get('etag') };
  };
  const person = { type: 'person', name: 'Akinyi Were', parent: 'hh-1' };

  before(async () => (cht = await startChtStandIn({ forms: {}, docs: sampleContacts(), contactTypes: DECLARED })));
  after(() => cht.close());

  it('POST /api/v1/person refuses an _id or a _rev (parameter-validators.ts assertContactInput)', async () => {
    const withId = await call('POST', '/api/v1/person', { ...person, _id: 'fhir.Patient.x' });
    assert.deepEqual([withId.status, withId.json.error], [400, 'The [_id] field must not be set.']);
    const withRev = await call('POST', '/api/v1/person', { ...person, _rev: '1-a' });
    assert.deepEqual([withRev.status, withRev.json.error], [400, 'The [_rev] field must not be set.']);
    assert.equal(cht.writes, 0);
  });

  it('POST /api/v1/person refuses a missing name, an unknown parent, a parent its type does not allow, a place type', async () => {
    const cases: Array<[unknown, string]> = [
      [{ ...person, name: ' ' }, 'The [name] field must have a [string] value.'],
      [{ ...person, parent: 'nowhere' }, 'Parent contact [nowhere] not found.'],
      [{ ...person, parent: 'woman-1' }, 'Parent contact of type [person] is not allowed for type [person].'],
      [{ ...person, type: 'clinic' }, '[clinic] is not a valid person type.'],
      [{ ...person, phone: 254700 }, 'The [phone] field must have a [string] value.'],
    ];
    for (const [body, error] of cases) {
      const r = await call('POST', '/api/v1/person', body);
      assert.deepEqual([r.status, r.json.error], [400, error]);
    }
    assert.equal(cht.writes, 0);
  });

  it('POST /api/v1/person stores a declared type as type contact + contact_type, with the minified lineage', async () => {
    const r = await call('POST', '/api/v1/person', person);
    assert.equal(r.status, 200);
    const doc = cht.docs.get(r.json._id)!;
    assert.deepEqual([doc.type, doc.contact_type], ['contact', 'person']);
    assert.deepEqual(doc.parent, { _id: 'hh-1', parent: { _id: 'hc-1', parent: { _id: 'dh-1' } } });
    assert.equal(typeof doc.reported_date, 'number');
  });

  it('PUT /api/v1/person/<id> refuses a bare parent id, a changed type and a stale _rev, each with 400', async () => {
    const created = (await call('POST', '/api/v1/person', person)).json;
    const stored = cht.docs.get(created._id)!;
    const bareParent = await call('PUT', `/api/v1/person/${stored._id}`, { ...stored, parent: 'hh-1' });
    assert.deepEqual([bareParent.status, bareParent.json.error], [400, 'Parent lineage does not match.']);
    const typed = await call('PUT', `/api/v1/person/${stored._id}`, { ...stored, type: 'person', contact_type: undefined });
    assert.deepEqual([typed.status, typed.json.error], [400, 'The [type,contact_type] fields must not be changed.']);
    const stale = await call('PUT', `/api/v1/person/${stored._id}`, { ...stored, _rev: '1-stale', name: 'X' });
    assert.deepEqual([stale.status, stale.json.error], [400, 'The [_rev] fields must not be changed.']);
    const ok = await call('PUT', `/api/v1/person/${stored._id}`, { ...stored, name: 'Akinyi W.' });
    assert.equal(ok.status, 200);
  });

  it('PUT /medic/<id> is CouchDB: a new doc takes no _rev, a live one needs its current _rev; HEAD answers the _rev as ETag', async () => {
    assert.equal((await call('PUT', '/medic/new-1', { _id: 'new-1', _rev: '1-made-up', type: 'person' })).status, 409);
    assert.equal((await call('PUT', '/medic/new-1', { _id: 'new-1', type: 'person' })).status, 201);
    assert.equal((await call('PUT', '/medic/new-1', { _id: 'new-1', type: 'person' })).status, 409);
    const head = await call('HEAD', '/medic/new-1');
    assert.equal(head.etag, `"${cht.docs.get('new-1')!._rev}"`);
    const before = (await call('HEAD', '/medic/settings')).etag;
    cht.forms = { OTHER: { fields: {} } };
    assert.notEqual((await call('HEAD', '/medic/settings')).etag, before, 'the settings doc changes with the settings');
  });

  it('without the person API (CHT < 5.2) the routes do not exist', async () => {
    const old = await startChtStandIn({ forms: {}, docs: sampleContacts(), personApi: false });
    try {
      const r = await fetch(`${old.url}/api/v1/person`, {
        method: 'POST',
        headers: { authorization: 'Basic ' + Buffer.from('medic-fhir:S3cret!pass').toString('base64'), 'content-type': 'application/json' },
        body: JSON.stringify(person),
      });
      assert.equal(r.status, 404);
      assert.equal(old.writes, 0);
    } finally {
      await old.close();
    }
  });

  it('built-in types (no contact_types): a person is stored as type person under a clinic', async () => {
    const builtIn = await startChtStandIn({ forms: {}, docs: sampleContacts() });
    try {
      const r = await fetch(`${builtIn.url}/api/v1/person`, {
        method: 'POST',
        headers: { authorization: 'Basic ' + Buffer.from('medic-fhir:S3cret!pass').toString('base64'), 'content-type': 'application/json' },
        body: JSON.stringify(person),
      });
      const doc = builtIn.docs.get(((await r.json()) as { _id: string })._id)!;
      assert.deepEqual([doc.type, doc.contact_type], ['person', undefined]);
    } finally {
      await builtIn.close();
    }
  });
});
