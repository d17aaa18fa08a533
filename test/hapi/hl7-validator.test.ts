import { strict as assert } from 'node:assert';
import fs from 'node:fs';
import path from 'node:path';
import type { Bundle, Resource } from 'fhir/r4';
import { compileDefinitions } from '../../src/compiler/definitions/compile';
import { questionnaireBundle } from '../../src/compiler/definitions/questionnaire';
import { mapDoc } from '../../src/core/map-doc';
import { transactionOf } from '../../src/core/bundle';
import { resourceId, systems } from '../../src/core/identity';
import { withSourceVersion } from '../../src/core/source-version';
import { outboundEntries, ENTRY_PREFIX, PAYLOAD_KEY } from '../../src/compiler/outbound';
import { loadLikeCht } from '../../src/compiler/cht-lib-loader';
import { mapPayload } from '../../src/doubles/cht-outbound-push/cht-outbound';
import { runDemo } from '../../src/cli/demo';
import { ROOT } from '../../harness/repo';
import { sampleDocs } from '../../harness/samples';
import { journeyProject } from '../../harness/journey';
import { scratchProject } from '../support/scratch-project';
import { HH, hhReport } from '../support/household';
import { CONCEPTS, RDT, VISIT, rdtReport, visitReport } from '../support/form-constructs';
import { buildJourney, pushAll } from '../support/journey-run';
import { startFhirServer } from '../../src/doubles/fhir-store';
import { startReceiver } from '../../src/runtime/receiver';
import { CREDS } from '../../harness/receiver-stack';
import { errorsOf, startHl7Validator, type Hl7Issue, type Hl7Validator } from '../support/hl7-validator';

/**
 * HL7's own validator (tools/validator: org.hl7.fhir.validation behind HAPI's
 * FhirInstanceValidator, R4 core package, offline) as the judge of what this
 * project produces: 0 errors, and no coding without a system. Unknown
 * external code systems (LOINC, SNOMED CT, ICD-11, CVX) are warnings: there
 * is no terminology server offline. The Questionnaires (and the CodeSystems
 * and StructureDefinitions published with them) are given to it, so each
 * QuestionnaireResponse is checked against its form.
 */
describe("HL7's FHIR validator: everything the project produces", function () {
  this.timeout(600000);
  let v: Hl7Validator;
  const compiled = compileDefinitions(ROOT);
  const published = questionnaireBundle(compiled);
  const warnings: Hl7Issue[] = [];

  before(async () => {
    v = await startHl7Validator();
    await v.context(
      'reference',
      published.entry!.map((e) => e.resource),
    );
  });
  after(async () => {
    await v?.close();
    // The warnings that remain, grouped, for the record (docs/developers.md discusses them).
    const groups = new Map<string, number>();
    for (const w of warnings) {
      const key = `${w.messageId ?? ''}: ${w.message.replace(/'[^']*'/g, "'...'").replace(/\d+/g, 'N')}`.slice(0, 160);
      groups.set(key, (groups.get(key) ?? 0) + 1);
    }
    if (groups.size) console.log('    remaining HL7 validator warnings:\n' + [...groups].map(([k, n]) => `      ${n} x ${k}`).join('\n'));
  });

  /** 0 errors, and every coding has a system. */
  async function judge(label: string, resource: unknown, context = 'reference'): Promise<void> {
    const issues = await v.validate(resource, context);
    warnings.push(...issues.filter((i) => i.severity === 'warning'));
    assert.deepEqual(errorsOf(issues), [], `${label}: HL7 validator errors`);
    const noSystem = issues.filter((i) => i.messageId === 'TERMINOLOGY_TX_SYSTEM_NO_CODE' || /Coding has no system/.test(i.message));
    assert.deepEqual(
      noSystem.map((i) => i.location),
      [],
      `${label}: codings without a system`,
    );
  }

  it('the judge is not lenient: a QuestionnaireResponse answer of the wrong type is an error', async () => {
    const q = published
      .entry!.map((e) => e.resource as Resource & { url?: string })
      .find((r) => r.resourceType === 'Questionnaire' && /sick_child$/.test(r.url!))!;
    const issues = await v.validate(
      {
        resourceType: 'QuestionnaireResponse',
        questionnaire: q.url,
        status: 'completed',
        item: [{ linkId: 'respiratory_rate', answer: [{ valueString: 'thirty' }] }],
      },
      'reference',
    );
    assert.ok(
      errorsOf(issues).some((e) => /respiratory_rate|integer/.test(e)),
      JSON.stringify(issues),
    );
    assert.ok((await v.validate({ resourceType: 'Patient', gender: 'nope' })).some((i) => i.severity === 'error'));
    // The source-version extension is checked against its published StructureDefinition.
    const url = systems(compiled.model.deployment).sourceVersion;
    assert.ok(
      errorsOf(await v.validate({ resourceType: 'Patient', extension: [{ url, valueInteger: 3 }] }, 'reference')).some((e) =>
        /allows for the types \[string\]/.test(e),
      ),
    );
  });

  it('the published Questionnaires (with their CodeSystems and StructureDefinitions), as `cht-fhir questionnaires` prints them', async () => {
    await judge('questionnaires', published);
    for (const e of published.entry!) await judge(`${e.resource!.resourceType}/${e.resource!.id}`, e.resource);
  });

  it('every sample doc, stored and hydrated, as the built outbound entry pushes it (reports of every reference form, and contacts)', async () => {
    const entry = (await outboundEntries(compiled, {}))[ENTRY_PREFIX];
    const forms = new Set<string>();
    for (const { label, doc } of sampleDocs()) {
      const bundle = mapPayload(entry, ENTRY_PREFIX, doc)[PAYLOAD_KEY] as Bundle;
      if (doc.type === 'data_record') forms.add(doc.form as string);
      await judge(label, bundle);
    }
    assert.deepEqual([...forms].sort(), Object.keys(compiled.model.forms).sort(), 'a sample report of every reference form');
  });

  it('the fixture form (test/fixtures/forms/hh.xml, nested repeats): its Questionnaire and a report', async () => {
    const project = scratchProject({ hh: HH });
    const hh = compileDefinitions(project.root);
    project.close();
    const q = questionnaireBundle(hh);
    await v.context(
      'hh',
      q.entry!.map((e) => e.resource),
    );
    await judge('hh questionnaires', q, 'hh');
    await judge('hh report', mapDoc(hh.model, hhReport()), 'hh');
  });

  it('what forms say beyond answers (issue 24): the rapid test and home visit forms, their Questionnaires, reports and the clinic Task answering a referral', async () => {
    const project = scratchProject({ rdt_capture: RDT, anc_home_visit: VISIT }, CONCEPTS);
    const forms = compileDefinitions(project.root);
    project.close();
    const q = questionnaireBundle(forms);
    await v.context(
      'constructs',
      q.entry!.map((e) => e.resource),
    );
    await judge('constructs questionnaires', q, 'constructs');
    const rdt = mapDoc(forms.model, rdtReport());
    const visit = mapDoc(forms.model, visitReport());
    const types = new Set([...(rdt.entry ?? []), ...(visit.entry ?? [])].map((e) => e.resource!.resourceType));
    for (const t of ['Device', 'Specimen', 'MedicationStatement', 'MedicationAdministration', 'ServiceRequest', 'Procedure', 'Immunization'])
      assert.ok(types.has(t), t);
    await judge('rapid test report', rdt, 'constructs');
    await judge('home visit report', visit, 'constructs');
    await judge(
      'home visit, other answers',
      mapDoc(
        forms.model,
        visitReport({ medicines: { iron_folate_daily: 'yes' }, previous_birth: { delivery_place: 'health_facility', delivery_conductor: 'skilled' } }),
      ),
      'constructs',
    );
    const request = (visit.entry ?? []).map((e) => e.resource!).find((r) => r.resourceType === 'ServiceRequest')!;
    await judge('clinic Task answering the referral', {
      resourceType: 'Task',
      id: 'clinic-task-1',
      status: 'completed',
      intent: 'order',
      basedOn: [{ reference: `ServiceRequest/${request.id}` }],
      for: { reference: `Patient/${resourceId(forms.model.deployment, 'Patient', 'woman-1')}` },
      owner: { display: 'Kisumu Health Centre, maternity' },
      output: [{ type: { text: 'Outcome' }, valueString: 'Seen; bleeding stopped, iron started' }],
    });
  });

  it('the longitudinal record: every push of the pregnancy journey, and the merged record the FHIR server ends with', async () => {
    const project = journeyProject();
    const fhir = await startFhirServer();
    const receiver = await startReceiver({ auth: CREDS, fhirBaseUrl: fhir.url });
    try {
      const journey = await buildJourney(project.root, 4);
      const q = questionnaireBundle(compileDefinitions(project.root));
      await v.context(
        'journey',
        q.entry!.map((e) => e.resource),
      );
      for (const p of [...journey.contacts, ...journey.reports]) await judge(p.label, (p.payload as Record<string, unknown>)[PAYLOAD_KEY], 'journey');
      await pushAll(`${receiver.url}/cht-fhir/push`, journey.contacts);
      await pushAll(`${receiver.url}/cht-fhir/push`, [...journey.reports].reverse());
      const stored: Resource[] = [];
      for (const type of ['EpisodeOfCare', 'Condition', 'RelatedPerson', 'Encounter']) {
        const page = (await fetch(`${fhir.url}/${type}?_count=500`).then((r) => r.json())) as Bundle;
        stored.push(...(page.entry ?? []).map((e) => e.resource!));
      }
      assert.ok(stored.some((r) => r.resourceType === 'EpisodeOfCare') && stored.some((r) => r.resourceType === 'RelatedPerson'));
      for (const r of stored) await judge(`stored ${r.resourceType}/${r.id!}`, r, 'journey');
    } finally {
      await receiver.close();
      await fhir.close();
      project.close();
    }
  });

  it("the demo's output: every resource the FHIR server holds after `cht-fhir demo`", async () => {
    const { summary, stop } = await runDemo({
      root: ROOT,
      port: 0,
      fhirPort: 0,
      host: '127.0.0.1',
      docs: path.join(ROOT, 'samples'),
      log: () => undefined,
      progress: () => undefined,
    });
    try {
      assert.equal(summary.failedPushes, 0);
      let n = 0;
      for (const type of Object.keys(summary.resources)) {
        const b = (await fetch(`${summary.urls.fhir}/${type}?_count=10000`).then((r) => r.json())) as Bundle;
        for (const e of b.entry ?? []) {
          await judge(`demo ${type}/${e.resource!.id}`, e.resource);
          n++;
        }
      }
      assert.ok(n >= 50, `${n} resources`);
    } finally {
      await stop();
    }
  });

  it('what the browser outbox sends: resources the fhir-build lib makes, stamped with the outbox source version, as one transaction', async () => {
    const build = loadLikeCht(fs.readFileSync(path.join(ROOT, 'extension-libs/fhir-build.js'), 'latin1')) as (...a: string[]) => string;
    const resources: Resource[] = [];
    for (const [key, value, type] of [
      ['body-weight', '62.5', 'kg'],
      ['malaria-rdt', 'positive', 'coded'],
      ['respiratory-rate', '52', 'integer'],
      ['fever', 'yes', 'boolean'],
      ['symptoms', 'text', 'string'],
      ['lmp-date', '2026-01-02', 'dateTime'],
    ])
      resources.push(JSON.parse(build('observation', key, value, type, 'uuid:outbox-1', 'woman-1')) as Resource);
    const d = compiled.model.deployment;
    resources.push({
      resourceType: 'Patient',
      id: resourceId(d, 'Patient', 'woman-1'),
      identifier: [{ system: systems(d).chtId, value: 'woman-1' }],
      name: [{ text: 'A B' }],
    } as Resource);
    const bundle = transactionOf(
      resources.map((r, i) => withSourceVersion(r, { source: 'urn:uuid:0b5a3c2e-7d1f-4a4b-9c8d-1e2f3a4b5c6d', version: i + 1 }, systems(d).sourceVersion)),
    );
    await judge('outbox transaction', bundle);
  });

  it('what the receiver accepts inbound (/fhir/<Type>): the referral and patient shapes of the inbound tests and corpus', async () => {
    const d = compiled.model.deployment;
    const chtId = systems(d).chtId;
    const subject = { reference: `Patient/${resourceId(d, 'Patient', 'child-1')}`, identifier: { system: chtId, value: 'child-1' } };
    await judge('inbound ServiceRequest', {
      resourceType: 'ServiceRequest',
      id: 'sr-inbound-1',
      status: 'active',
      intent: 'order',
      subject,
      reasonCode: [{ text: 'Fast breathing' }],
    });
    await judge('inbound ServiceRequest (corpus base)', {
      resourceType: 'ServiceRequest',
      id: 'corpus-sr',
      status: 'active',
      intent: 'order',
      subject: { identifier: { system: chtId, value: 'child-1' } },
    });
    await judge('inbound Patient (corpus base)', {
      resourceType: 'Patient',
      id: 'corpus-p',
      name: [{ text: 'A B' }],
      managingOrganization: { identifier: { system: chtId, value: 'hh-1' } },
    });
  });
});
