import { strict as assert } from 'node:assert';
import fs from 'node:fs';
import path from 'node:path';
import type { ServiceRequest, Task } from 'fhir/r4';
import { startFhirServer, type FhirServer } from '../../src/doubles/fhir-store';
import { startReceiver, type Receiver } from '../../src/runtime/receiver';
import { compileDefinitions } from '../../src/compiler/definitions/compile';
import { outboundEntries, ENTRY_PREFIX } from '../../src/compiler/outbound';
import { isRelevant, mapPayload } from '../../src/doubles/cht-outbound-push/cht-outbound';
import { resourceId } from '../../src/core/identity';
import { assertValidR4 } from '../../src/fhir-validation';
import { ROOT, referenceModelAt } from '../../harness/repo';
import { scratchProject } from '../support/scratch-project';
import { CHW, CONCEPTS, HEALTH_CENTER, HOUSEHOLD, VISIT, WOMAN, visitReport } from '../support/form-constructs';
import { startChtStandIn, type ChtStandIn } from '../../harness/stand-ins/cht-api';
import { push, CREDS, AUTH } from '../../harness/receiver-stack';
import { rawRequest } from '../../harness/stand-ins/raw-http';

/**
 * Issue 24: a referral a health worker makes in a CHT form leaves as a
 * ServiceRequest; the facility's system answers it with a Task `basedOn` it,
 * which comes back through the inbound path (app_settings/fhir/inbound/
 * referral-outcome.json) as a REFERRAL_OUTCOME record about the same woman,
 * naming the same request.
 */
describe('referral loop: a CHT form refers, the clinic answers', function () {
  this.timeout(60000);
  let fhir: FhirServer;
  let cht: ChtStandIn;
  let receiver: Receiver;
  const project = scratchProject({ anc_home_visit: VISIT }, CONCEPTS);
  const compiled = compileDefinitions(project.root);
  const model = referenceModelAt(project.root);
  const forms = JSON.parse(fs.readFileSync(path.join(ROOT, 'app_settings/forms.json'), 'utf8'));
  const contacts = [HEALTH_CENTER, CHW, HOUSEHOLD, WOMAN].map((c) => ({ ...c, parent: minify(c.parent) }));

  before(async () => {
    fhir = await startFhirServer();
    cht = await startChtStandIn({ forms, docs: contacts });
    receiver = await startReceiver({ auth: CREDS, fhirBaseUrl: fhir.url, inbound: { chtUrl: cht.urlWithCredentials, model } });
  });
  after(async () => {
    await receiver.close();
    await cht.close();
    await fhir.close();
    project.close();
  });

  const inbound = (body: unknown) =>
    rawRequest(`${receiver.url}/fhir/Task`, {
      method: 'POST',
      headers: { authorization: AUTH, 'content-type': 'application/fhir+json' },
      body: JSON.stringify(body),
      timeoutMs: 15000,
    });

  let request: ServiceRequest;
  it('the visit with a referral lands; its ServiceRequest is on the FHIR server, from the health worker to her facility', async () => {
    const entry = (await outboundEntries(compiled, {}))[ENTRY_PREFIX];
    const doc = visitReport();
    assert.ok(isRelevant(entry, doc));
    for (const c of [HEALTH_CENTER, CHW, HOUSEHOLD, WOMAN])
      assert.equal((await push(`${receiver.url}${entry.destination.path}`, mapPayload(entry, ENTRY_PREFIX, c))).status, 200);
    const res = await push(`${receiver.url}${entry.destination.path}`, mapPayload(entry, ENTRY_PREFIX, doc));
    assert.equal(res.status, 200, res.text);
    const id = resourceId(compiled.model.deployment, 'ServiceRequest', 'uuid:0a4d1f6b-7c2e-4b18-8d3f-9e5a6b7c8d21', 'referral.refer=yes');
    const got = await fetch(`${fhir.url}/ServiceRequest/${id}`);
    assert.equal(got.status, 200);
    request = await got.json();
    assert.equal(request.requester?.reference, `Practitioner/${resourceId(compiled.model.deployment, 'Practitioner', 'chw-1')}`);
    assert.equal(request.performer?.[0]?.reference, `Organization/${resourceId(compiled.model.deployment, 'Organization', 'hc-1')}`);
    for (const ref of [request.requester, request.performer[0], request.subject]) {
      const target = await fetch(`${fhir.url}/${ref.reference}`);
      assert.equal(target.status, 200, `${ref.reference} resolves`);
    }
  });

  it("the clinic's Task basedOn it becomes one REFERRAL_OUTCOME record for her, naming the request", async () => {
    const task: Task = {
      resourceType: 'Task',
      id: 'clinic-task-1',
      status: 'completed',
      intent: 'order',
      basedOn: [{ reference: `ServiceRequest/${request.id}` }],
      for: { reference: request.subject.reference },
      owner: { display: 'Kisumu Health Centre, maternity' },
      output: [{ type: { text: 'Outcome' }, valueString: 'Seen; bleeding stopped, iron started' }],
      lastModified: '2026-11-22T14:00:00Z',
    };
    assertValidR4(task);
    const res = await inbound(task);
    assert.equal(res.status, 201, res.text);
    const records = [...cht.docs.values()].filter((d) => d.form === 'REFERRAL_OUTCOME');
    assert.equal(records.length, 1);
    assert.deepEqual(records[0].errors, []);
    assert.equal(records[0].fields.patient_uuid, 'woman-1');
    assert.equal(records[0].fields.service_request, `ServiceRequest/${request.id}`);
    assert.equal(records[0].fields.status, 'completed');
    assert.equal(records[0].fields.outcome, 'Seen; bleeding stopped, iron started');
    assert.equal(records[0].fields.facility, 'Kisumu Health Centre, maternity');
  });

  it('a Task based on no ServiceRequest is not a referral outcome: acknowledged, nothing written', async () => {
    const before = cht.writes;
    const res = await inbound({ resourceType: 'Task', id: 'other-task', status: 'completed', intent: 'order', for: { reference: request.subject.reference } });
    assert.equal(res.status, 200, res.text);
    assert.match(res.text, /matches no inbound mapping's 'where'/);
    assert.equal(cht.writes, before);
  });

  it('a draft Task creates nothing yet; the same Task accepted later does', async () => {
    const draft: Task = {
      resourceType: 'Task',
      id: 'clinic-task-2',
      meta: { versionId: '1' },
      status: 'draft',
      intent: 'order',
      basedOn: [{ reference: `ServiceRequest/${request.id}` }],
      for: { reference: request.subject.reference },
    };
    const before = cht.writes;
    const first = await inbound(draft);
    assert.equal(first.status, 200, first.text);
    assert.equal(cht.writes, before);
    const accepted = await inbound({ ...draft, meta: { versionId: '2' }, status: 'accepted' });
    assert.equal(accepted.status, 201, accepted.text);
  });
});

function minify(parent: unknown): unknown {
  if (!parent || typeof parent !== 'object') return undefined;
  const p = parent as { _id: string; parent?: unknown };
  return p.parent ? { _id: p._id, parent: minify(p.parent) } : { _id: p._id };
}
