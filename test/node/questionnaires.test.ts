import { strict as assert } from 'node:assert';
import type { Bundle, CodeSystem, Questionnaire, QuestionnaireItem, QuestionnaireResponse, QuestionnaireResponseItem } from 'fhir/r4';
import { compileDefinitions } from '../../src/compiler/definitions/compile';
import { questionnaireBundle, questionnaireFor } from '../../src/compiler/definitions/questionnaire';
import { parseXForm } from '../../src/compiler/definitions/xform';
import { mapDoc } from '../../src/core/map-doc';
import { hydrate } from '../../src/doubles/cht-outbound-push/hydrate';
import { ROOT } from '../../harness/repo';
import { assertValidR4 } from '../../src/fhir-validation';
import { sampleContacts, sampleReports } from '../../harness/samples';

function linkIds(items: Array<QuestionnaireItem | QuestionnaireResponseItem> | undefined, out = new Set<string>()): Set<string> {
  for (const i of items ?? []) {
    out.add(i.linkId);
    linkIds(i.item, out);
  }
  return out;
}

describe('Questionnaires of the mapped forms', () => {
  const compiled = compileDefinitions(ROOT);
  const bundle = questionnaireBundle(compiled);
  const byUrl = new Map(
    (bundle.entry ?? [])
      .filter((e) => e.resource?.resourceType === 'Questionnaire')
      .map((e) => [(e.resource as Questionnaire).url, e.resource as Questionnaire]),
  );

  it('one valid R4 Questionnaire per mapped form, as a transaction of PUTs', () => {
    assertValidR4(bundle);
    assert.equal(bundle.type, 'transaction');
    assert.deepEqual([...byUrl.values()].map((q) => q.name).sort(), ['Childbirth', 'DeathReport', 'PregnancyVisit', 'ReferralFollowUp', 'SickChild']);
    for (const e of bundle.entry ?? []) assert.equal(e.request?.url, `${e.resource?.resourceType}/${e.resource?.id}`);
  });

  it('every coding names a system: each choice list is a CodeSystem under the canonical base, published beside the Questionnaires', () => {
    const codeSystems = new Map(
      (bundle.entry ?? []).filter((e) => e.resource?.resourceType === 'CodeSystem').map((e) => [(e.resource as CodeSystem).url, e.resource as CodeSystem]),
    );
    let n = 0;
    const walk = (items: QuestionnaireItem[] | undefined) =>
      items?.forEach((i) => {
        for (const o of i.answerOption ?? []) {
          const cs = codeSystems.get(o.valueCoding?.system ?? '');
          assert.ok(cs, `${i.linkId}: ${JSON.stringify(o.valueCoding)} names a published CodeSystem`);
          assert.match(cs.url!, /^https:\/\/fhir\.example\.org\/CodeSystem\//);
          assert.equal(cs.content, 'complete');
          assert.ok(cs.concept!.some((c) => c.code === o.valueCoding!.code && c.display === o.valueCoding!.display));
          n++;
        }
        walk(i.item);
      });
    for (const q of byUrl.values()) walk(q.item);
    assert.ok(n > 50, `${n} answer options`);
    assert.ok(codeSystems.has('https://fhir.example.org/CodeSystem/cht-contact-type'));
  });

  it('types, labels and choices come from the XForm', () => {
    const q = [...byUrl.values()].find((x) => x.name === 'SickChild')!;
    const find = (id: string) => q.item!.find((i) => i.linkId === id)!;
    assert.deepEqual(find('muac_cm'), { linkId: 'muac_cm', text: 'MUAC (cm)', type: 'decimal' });
    assert.equal(find('symptoms').type, 'choice');
    assert.equal(find('symptoms').repeats, true);
    assert.deepEqual(find('rdt_result').answerOption, [
      { valueCoding: { system: 'https://fhir.example.org/CodeSystem/sick_child.rdt_result', code: 'positive', display: 'Positive' } },
      { valueCoding: { system: 'https://fhir.example.org/CodeSystem/sick_child.rdt_result', code: 'negative', display: 'Negative' } },
      { valueCoding: { system: 'https://fhir.example.org/CodeSystem/sick_child.rdt_result', code: 'invalid', display: 'Invalid or not done' } },
    ]);
    assert.equal(find('muac_colour').readOnly, true, 'a calculated field has no control: read-only');
  });

  it('every QuestionnaireResponse the samples produce points at one of them, with linkIds it defines', () => {
    for (const report of sampleReports()) {
      const b: Bundle = mapDoc(compiled.model, hydrate(report, sampleContacts()));
      const qr = b.entry!.map((e) => e.resource).find((r) => r?.resourceType === 'QuestionnaireResponse') as QuestionnaireResponse;
      const q = byUrl.get(qr.questionnaire);
      assert.ok(q, `${report._id}: ${qr.questionnaire}`);
      const defined = linkIds(q.item);
      for (const id of linkIds(qr.item)) assert.ok(defined.has(id), `${report._id}: linkId ${id} not in ${q.name}`);
    }
  });

  it('a form with nothing but metadata gives a valid Questionnaire with no items; odd ids still give a machine name', () => {
    const xml =
      '<h:html xmlns="http://www.w3.org/2002/xforms" xmlns:h="http://www.w3.org/1999/xhtml"><h:head><h:title>T</h:title><model><instance><x-9 id="x-9"><meta><instanceID/></meta></x-9></instance></model></h:head><h:body/></h:html>';
    const q = questionnaireFor(compiled.model.deployment, parseXForm(xml, 'x-9.xml'));
    assert.equal(q.item, undefined);
    assert.match(q.name!, /^[A-Z][A-Za-z0-9_]*$/);
    assertValidR4(q);
  });
});
