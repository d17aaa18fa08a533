import { strict as assert } from 'node:assert';
import fs from 'node:fs';
import path from 'node:path';
import type { Bundle, QuestionnaireResponse } from 'fhir/r4';
import { compileDefinitions } from '../../src/compiler/definitions/compile';
import { withOwnedSettings } from '../../src/compiler/settings-file';
import { outboundEntries, ENTRY_PREFIX, PAYLOAD_KEY, type OutboundEntry } from '../../src/compiler/outbound';
import { isRelevant, mapPayload, OutboundMappingError } from '../../src/doubles/cht-outbound-push/cht-outbound';
import { ROOT } from '../../harness/repo';
import { assertValidR4 } from '../../src/fhir-validation';
import { sampleDocs, sampleContacts, sampleReports, type Doc } from '../../harness/samples';
import { hydrate } from '../../src/doubles/cht-outbound-push/hydrate';

describe('outbound push generated from the mapping definitions', function () {
  this.timeout(120000);
  let entry: OutboundEntry;
  const ENV = {}; // no build-time overrides

  before(async () => {
    entry = (await outboundEntries(compileDefinitions(ROOT), ENV))[ENTRY_PREFIX];
  });

  const BASE_SETTINGS = path.join(ROOT, 'app_settings/base_settings.json');
  it('the committed app_settings/base_settings.json carries the current generated section (run `npm run build`)', async () => {
    const text = fs.readFileSync(BASE_SETTINGS, 'utf8');
    assert.equal(text, withOwnedSettings(text, await outboundEntries(compileDefinitions(ROOT), ENV), 'base_settings.json'));
  });

  it('is one entry with one expr, under 40 KB, with a credentials key and no secret', () => {
    const settings = JSON.parse(fs.readFileSync(BASE_SETTINGS, 'utf8'));
    const generated = Object.keys(settings.outbound).filter((k) => k.startsWith(ENTRY_PREFIX));
    assert.deepEqual(generated, [ENTRY_PREFIX]);
    assert.deepEqual(Object.keys(entry.mapping), [PAYLOAD_KEY]);
    assert.ok(JSON.stringify(settings.outbound).length < 40 * 1024, `${JSON.stringify(settings.outbound).length} bytes`);
    assert.equal(entry.destination.auth?.type, 'basic');
    assert.ok(entry.destination.auth?.password_key);
    assert.ok(!('password' in (entry.destination.auth ?? {})));
  });

  it('every sample doc, stored and hydrated, gives a valid R4 transaction Bundle under CHT semantics', () => {
    let resources = 0;
    for (const { label, doc } of sampleDocs()) {
      assert.ok(isRelevant(entry, doc), `${label} should be relevant`);
      const payload = mapPayload(entry, ENTRY_PREFIX, doc);
      assert.deepEqual(Object.keys(payload), [PAYLOAD_KEY], label);
      const bundle = payload[PAYLOAD_KEY] as Bundle;
      assert.equal(bundle.type, 'transaction', label);
      assert.doesNotThrow(() => assertValidR4(bundle), label);
      for (const e of bundle.entry ?? []) {
        assert.equal(e.request?.method, 'PUT');
        assert.equal(e.request?.url, `${e.resource?.resourceType}/${e.resource?.id}`);
        resources++;
      }
    }
    assert.ok(resources > 100, `${resources} resources`);
  });

  it('the same doc mapped twice gives byte-identical payloads', () => {
    for (const { label, doc } of sampleDocs()) {
      const a = JSON.stringify(mapPayload(entry, ENTRY_PREFIX, doc));
      const b = JSON.stringify(mapPayload(entry, ENTRY_PREFIX, JSON.parse(JSON.stringify(doc))));
      assert.equal(a, b, label);
    }
  });

  it('maps the pregnancy visit into coded vitals, danger-sign Conditions and a full QuestionnaireResponse', () => {
    const doc = hydrate(
      sampleReports().find((d) => d._id === 'rep-anc-1')!,
      sampleContacts(),
    );
    const bundle = mapPayload(entry, ENTRY_PREFIX, doc)[PAYLOAD_KEY] as Bundle;
    const byType = (t: string) => (bundle.entry ?? []).map((e) => e.resource as unknown as Record<string, any>).filter((r) => r.resourceType === t);
    const weight = byType('Observation').find((o) => o.code.coding?.[0].code === '29463-7');
    assert.deepEqual(weight?.valueQuantity, { value: 62.5, unit: 'kg', system: 'http://unitsofmeasure.org', code: 'kg' });
    assert.equal(weight?.category[0].coding[0].code, 'vital-signs');
    const danger = byType('Observation')
      .filter((o) => o.code.text === 'Pregnancy danger signs')
      .map((o) => o.valueCodeableConcept.coding[0].code);
    assert.deepEqual(danger.sort(), ['289530006', '386661006']);
    const conditions = byType('Condition')
      .map((c) => c.code.coding[0].code)
      .sort();
    assert.deepEqual(conditions, ['289530006', '77386006']);
    const enc = byType('Encounter')[0];
    assert.equal(enc.subject.identifier.value, 'woman-1');
    assert.equal(enc.subject.display, 'Mary Otieno');
    const qr = byType('QuestionnaireResponse')[0];
    const vitals = qr.item.find((i: any) => i.linkId === 'vitals');
    assert.deepEqual(vitals.item.find((i: any) => i.linkId === 'vitals.systolic').answer, [{ valueInteger: 145 }]);
    assert.ok(
      qr.item.find((i: any) => i.linkId === 'notes'),
      'unmapped field kept in the QuestionnaireResponse',
    );
    assert.equal(qr.identifier.value, 'uuid:0b2f1b4e-8a55-4b35-9f8e-4fbd62b2a001');
    assert.ok(byType('Practitioner').length === 1, 'the hydrated submitter travels as a Practitioner');
  });

  it('fails the push, naming the field, when a required field is missing (CHT retries after the doc is fixed)', () => {
    const doc = JSON.parse(JSON.stringify(sampleReports().find((d) => d._id === 'rep-death-1')));
    delete doc.fields.date_of_death;
    assert.throws(
      () => mapPayload(entry, ENTRY_PREFIX, doc),
      (e: Error) => e instanceof OutboundMappingError && /required field 'date_of_death' is missing/.test(e.message) && /rep-death-1/.test(e.message),
    );
    doc.fields.date_of_death = '02/10/2026';
    assert.throws(() => mapPayload(entry, ENTRY_PREFIX, doc), /required field 'date_of_death' is not a valid dateTime/);
  });

  it('a place: Location.type and Organization.type code the contact type in the published CodeSystem, not text alone', () => {
    const hc = sampleContacts().find((c) => c.type === 'health_center')!;
    const bundle = mapPayload(entry, ENTRY_PREFIX, hc)[PAYLOAD_KEY] as Bundle;
    const typed = bundle
      .entry!.map((e) => e.resource as { resourceType: string; type?: unknown })
      .filter((r) => r.resourceType === 'Location' || r.resourceType === 'Organization');
    assert.equal(typed.length, 2);
    for (const r of typed)
      assert.deepEqual(
        r.type,
        [{ coding: [{ system: 'https://fhir.example.org/CodeSystem/cht-contact-type', code: 'health_center' }], text: 'health_center' }],
        r.resourceType,
      );
  });

  it('is not relevant for unmapped forms, deleted docs, or other doc types', () => {
    for (const doc of [
      { _id: 'x', type: 'data_record', form: 'unknown_form', fields: {} },
      { _id: 'x', type: 'data_record', form: 'pregnancy_visit', _deleted: true },
      { _id: 'x', type: 'feedback' },
      { _id: 'x', type: 'contact', contact_type: 'nope' },
      { _id: 'x' },
    ])
      assert.equal(isRelevant(entry, doc), false, JSON.stringify(doc));
  });

  it("never throws for malformed optional text fields; a value not of its typed field's type fails the push naming doc, field and value", () => {
    const shapes = compileDefinitions(ROOT).model.forms;
    const base = sampleReports();
    const junk: unknown[] = [
      null,
      42,
      -1e308,
      'abc',
      '',
      '  ',
      true,
      {},
      [],
      ['a', 1],
      { a: { b: 'c' } },
      'x'.repeat(300000),
      '2026-13-45',
      '1e400',
      'NaN',
      '\u0000\ud83d',
      '__proto__',
    ];
    let n = 0;
    let rejected = 0;
    for (const report of base) {
      if (report.form === 'death_report') continue; // has a required field, tested above
      // The request a follow-up fulfils must be a reference when present: tested below.
      const fields = Object.keys(report.fields as object).filter((f) => f !== 'service_request');
      for (const field of fields) {
        for (const value of junk) {
          const doc = JSON.parse(JSON.stringify(report)) as Doc;
          (doc.fields as Record<string, unknown>)[field] = value;
          const typed = typeof shapes[report.form as string].shape[field] === 'string';
          let bundle: Bundle;
          try {
            bundle = mapPayload(entry, ENTRY_PREFIX, doc)[PAYLOAD_KEY] as Bundle;
          } catch (e) {
            const m = (e as Error).message;
            assert.ok(typed, `${report._id}.${field} = ${JSON.stringify(value)} threw, but the field takes any text: ${m}`);
            assert.ok(e instanceof OutboundMappingError, m);
            assert.match(m, new RegExp(`${report._id}: field '${field}' holds ".*", which is not `), m);
            rejected++;
            continue;
          }
          assert.equal(bundle.resourceType, 'Bundle');
          if (n++ % 7 === 0) assertValidR4(bundle);
        }
      }
    }
    assert.ok(n > 300, `${n} docs`);
    assert.ok(rejected > 50, `${rejected} refused`);
  });

  it('a value that does not fit its item type is never sent as another type: "thirty" in an integer, "13,1" in a decimal fail the push', () => {
    const doc = JSON.parse(JSON.stringify(sampleReports().find((d) => d._id === 'rep-sick-2')));
    doc.fields.respiratory_rate = 'thirty';
    assert.throws(
      () => mapPayload(entry, ENTRY_PREFIX, doc),
      (e: Error) =>
        e instanceof OutboundMappingError && /sick_child rep-sick-2: field 'respiratory_rate' holds "thirty", which is not an integer/.test(e.message),
    );
    doc.fields.respiratory_rate = '30';
    doc.fields.muac_cm = '13,1';
    assert.throws(() => mapPayload(entry, ENTRY_PREFIX, doc), /rep-sick-2: field 'muac_cm' holds "13,1", which is not a decimal/);
    doc.fields.muac_cm = '13.1';
    const qr = (mapPayload(entry, ENTRY_PREFIX, doc)[PAYLOAD_KEY] as Bundle).entry!.find((e) => e.resource?.resourceType === 'QuestionnaireResponse')!
      .resource as QuestionnaireResponse;
    const answer = (id: string) => qr.item!.find((i) => i.linkId === id)!.answer;
    assert.deepEqual(answer('respiratory_rate'), [{ valueInteger: 30 }]);
    assert.deepEqual(answer('muac_cm'), [{ valueDecimal: 13.1 }]);
  });

  it('a follow-up whose request is not a reference fails the push naming the field; an empty one sends no Task', () => {
    const doc = JSON.parse(JSON.stringify(sampleReports().find((d) => d._id === 'rep-follow-demo')));
    doc.fields.service_request = 'sr-demo-1';
    assert.throws(() => mapPayload(entry, ENTRY_PREFIX, doc), /field 'service_request' is not a request reference: 'sr-demo-1'/);
    doc.fields.service_request = '';
    const bundle = mapPayload(entry, ENTRY_PREFIX, doc)[PAYLOAD_KEY] as Bundle;
    assert.ok(!(bundle.entry ?? []).some((e) => e.resource?.resourceType === 'Task'));
    assertValidR4(bundle);
  });

  it('a report with no reported_date fails naming the doc', () => {
    const doc = { ...sampleReports()[0], reported_date: 'yesterday' };
    assert.throws(() => mapPayload(entry, ENTRY_PREFIX, doc), /rep-anc-1: reported_date is missing or not a date/);
  });
});

describe('putting the generated entry into the settings file', () => {
  const gen = { relevant_to: 'true', destination: { base_url: 'http://x', path: '/p' }, mapping: { bundle: { expr: '1' } } };
  const edit = (text: string) => withOwnedSettings(text, { 'cht-fhir': gen }, 'app_settings.json');

  it('keeps hand-written entries, replaces stale generated ones and leaves every other byte as it was', () => {
    const text =
      '{\n    "locale": "en",  "outbound": {"mine": {"a": 1}, "cht-fhir-old": {"b": 2}, "cht-fhir": {"c": 3}},\n    "transitions": { "mark_for_outbound": false, "other": true },\n    "z": [1,2,  3]\n}\n';
    const out = edit(text);
    const parsed = JSON.parse(out);
    assert.deepEqual(Object.keys(parsed.outbound).sort(), ['cht-fhir', 'mine']);
    assert.deepEqual(parsed.outbound.mine, { a: 1 });
    assert.deepEqual(parsed.outbound['cht-fhir'], gen);
    assert.deepEqual(parsed.transitions, { mark_for_outbound: true, other: true });
    assert.ok(out.startsWith('{\n    "locale": "en",  "outbound": {"mine": {"a": 1}, '), out);
    assert.ok(out.endsWith('"z": [1,2,  3]\n}\n'), out);
    assert.equal(edit(out), out, 'a second build changes nothing');
  });

  it("adds outbound and transitions to settings that have neither, in the file's indentation", () => {
    const out = edit('{\n\t"locale": "fr"\n}\n');
    assert.deepEqual(Object.keys(JSON.parse(out)), ['locale', 'outbound', 'transitions']);
    assert.match(out, /^{\n\t"locale": "fr",\n\t"outbound": {\n\t\t"cht-fhir"/);
    assert.equal(JSON.parse(out).transitions.mark_for_outbound, true);
  });

  it('refuses settings that are not a JSON object, or an outbound that is not one, without writing', () => {
    assert.throws(() => edit('{"a": 1,'), /app_settings\.json: not a JSON object/);
    assert.throws(() => edit('[]'), /not a JSON object/);
    assert.throws(() => edit('{"outbound": []}'), /\/outbound must be an object/);
    assert.throws(() => edit('{"transitions": true}'), /\/transitions must be an object/);
  });
});
