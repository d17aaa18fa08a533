import { strict as assert } from 'node:assert';
import type { Bundle, Resource } from 'fhir/r4';
import { compileDefinitions } from '../../src/compiler/definitions/compile';
import { mapDoc } from '../../src/core/map-doc';
import { MappingError } from '../../src/core/mapping-error';
import { hydrate } from '../../src/doubles/cht-outbound-push/hydrate';
import { ROOT } from '../../harness/repo';
import { validateR4 } from '../../src/fhir-validation';
import { sampleContacts, sampleReports, type Doc } from '../../harness/samples';

/**
 * Property: for random answer sets of the childbirth form, every mapped field
 * that has a value yields its resource (about the right person), and nothing
 * else appears. The expectation is computed here from the definition's
 * meaning, written plainly, not by the core.
 */
function rng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const compiled = compileDefinitions(ROOT);
const contacts = sampleContacts();
const template = sampleReports().find((r) => r._id === 'rep-birth-1')!;
const DANGER = ['fever', 'convulsions', 'difficulty_feeding', 'jaundice'];
const MOTHER = ['bleeding', 'fever', 'convulsions'];
const SNOMED: Record<string, string> = { fever: '386661006', convulsions: '91175000', jaundice: '387712008', bleeding: '47821001' };
const isDate = (s: string) => /^\d{4}-\d{2}-\d{2}$/.test(s);

describe('property: random answer sets of a CHT-style form', () => {
  it('200 random childbirth reports: each answer that has a value yields exactly its resources, all valid R4', () => {
    const rand = rng(20261130);
    let refused = 0;
    const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)];
    const subset = (xs: string[]) => xs.filter(() => rand() < 0.4).join(' ');
    for (let n = 0; n < 200; n++) {
      const babies = Array.from({ length: Math.floor(rand() * 5) }, (_, i) => {
        const condition = pick(['alive_well', 'alive_unwell', 'stillbirth', '']);
        return {
          baby_details: {
            condition,
            name: `Baby ${i}`,
            sex: pick(['female', 'male']),
            weight_known: pick(['yes', 'no', '']),
            birth_weight: pick(['', String(500 + Math.floor(rand() * 5500)), 'heavy']),
            vaccines: subset(['bcg', 'opv0']),
            danger_signs: subset(DANGER),
          },
          child_doc: condition === 'stillbirth' ? '' : `baby-${n}-${i}`,
        };
      });
      const f = {
        patient_uuid: 'woman-1',
        outcome: {
          delivery_date: pick(['2026-11-20', '', '2026-02-30']),
          delivery_mode: pick(['vaginal', 'assisted', 'cesarean', '']),
          babies_born: pick([String(babies.length), '', 'two']),
        },
        babies: { baby: babies },
        mother: { outcome: pick(['alive_well', 'alive_unwell', 'deceased', '']), danger_signs: subset(MOTHER) },
        next_pnc_visit: pick(['2026-11-23', '']),
        meta: { instanceID: `uuid:prop-${n}` },
      };
      const doc: Doc = { ...JSON.parse(JSON.stringify(template)), _id: `prop-${n}`, fields: f };

      const expected: string[] = [
        'Encounter|woman-1',
        'QuestionnaireResponse|woman-1',
        'Practitioner|',
        'PractitionerRole|',
        'Condition|woman-1|77386006|resolved',
      ];
      if (/^\d+$/.test(f.outcome.babies_born)) expected.push(`Observation|woman-1|57722-1|${f.outcome.babies_born}`);
      // Vaccines and the delivery are dated by delivery_date: no readable date, no resource.
      const dated = isDate(f.outcome.delivery_date) && f.outcome.delivery_date !== '2026-02-30';
      if (f.outcome.delivery_mode && dated)
        expected.push(`Procedure|woman-1|${{ vaginal: '48782003', assisted: '236974004', cesarean: '11466000' }[f.outcome.delivery_mode]}`);
      if (isDate(f.next_pnc_visit) && f.mother.outcome !== 'deceased') expected.push('Appointment|woman-1|169762003');
      for (const s of f.mother.danger_signs.split(' ').filter(Boolean)) expected.push(`Condition|woman-1|${SNOMED[s]}|active`);
      for (const b of babies) {
        const who = b.child_doc;
        if (!who) continue;
        if (dated && b.baby_details.weight_known === 'yes' && /^\d+$/.test(b.baby_details.birth_weight))
          expected.push(`Observation|${who}|8339-4|${b.baby_details.birth_weight}`);
        if (dated) for (const v of b.baby_details.vaccines.split(' ').filter(Boolean)) expected.push(`Immunization|${who}|${v === 'bcg' ? '19' : '182'}`);
        if (b.baby_details.condition === 'alive_unwell')
          for (const s of b.baby_details.danger_signs.split(' ').filter(Boolean))
            expected.push(`Condition|${who}|${SNOMED[s] ?? 'Newborn difficulty feeding'}|active`);
      }

      // A value not of its field's type (an integer "two" or "heavy", an impossible date) fails the push, naming it.
      const unreadable =
        f.outcome.babies_born === 'two'
          ? 'babies_born'
          : f.outcome.delivery_date === '2026-02-30'
            ? 'delivery_date'
            : babies.some((b) => b.baby_details.birth_weight === 'heavy')
              ? 'birth_weight'
              : undefined;
      if (unreadable) {
        assert.throws(
          () => mapDoc(compiled.model, hydrate(doc, contacts)),
          (e: Error) => e instanceof MappingError && /prop-\d+: field '[a-z_.]+' holds "/.test(e.message),
          `report ${n}`,
        );
        refused++;
        continue;
      }
      const bundle: Bundle = mapDoc(compiled.model, hydrate(doc, contacts));
      assert.deepEqual(
        validateR4(bundle).filter((i) => i.severity === 'error'),
        [],
        `report ${n}`,
      );
      const got = bundle.entry!.map((e) => signature(e.resource!));
      assert.deepEqual(got.sort(), expected.sort(), `report ${n}: ${JSON.stringify(f)}`);
      assert.equal(new Set(bundle.entry!.map((e) => e.fullUrl)).size, bundle.entry!.length, `report ${n}: ids are distinct`);
    }
    assert.ok(refused > 10 && refused < 190, `${refused} refused`);
  });
});

function signature(r: Resource): string {
  const any = r as any;
  const subject = (any.subject ?? any.patient ?? any.participant?.[0]?.actor)?.identifier?.value ?? '';
  const who = subject || (any.subject?.reference ? '?' : '');
  const concept = any.code ?? any.vaccineCode ?? any.serviceType?.[0];
  const code = concept?.coding?.[0]?.code ?? concept?.text;
  const value = any.valueQuantity?.value ?? any.valueInteger ?? any.clinicalStatus?.coding?.[0]?.code;
  if (r.resourceType === 'Practitioner' || r.resourceType === 'PractitionerRole') return `${r.resourceType}|`;
  if (r.resourceType === 'Encounter' || r.resourceType === 'QuestionnaireResponse') return `${r.resourceType}|${who}`;
  return [r.resourceType, who, code, value].filter((x) => x !== undefined).join('|');
}
