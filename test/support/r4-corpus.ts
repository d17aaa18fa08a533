import fs from 'node:fs';
import path from 'node:path';
import { ROOT } from '../../harness/repo';
import { validateR4 } from '../../src/fhir-validation';
import { patientDoc, reportDoc } from '../../harness/stand-ins/push-bundles';

/**
 * Cases for the verdict-equality tests of the validator: every 4th official
 * R4 example (conformance resources included) with a few generic breakages,
 * plus sample pushes broken in the ways a shortcut over the schema walk could
 * get wrong (choices, contained, entries, extensions, `_x`, arrays vs single
 * values, nulls, empty objects, stray resourceType).
 */
const EXAMPLES = path.join(ROOT, 'node_modules/hl7.fhir.r4.examples');

type Json = Record<string, any>;

export function corpus(): [string, unknown][] {
  const files = fs
    .readdirSync(EXAMPLES)
    .filter((f) => f.endsWith('.json') && f !== 'package.json' && !f.startsWith('.'))
    .sort();
  const out: [string, unknown][] = [];
  files.forEach((f, i) => {
    if (i % 4 || fs.statSync(path.join(EXAMPLES, f)).size > 150_000) return;
    const r = JSON.parse(fs.readFileSync(path.join(EXAMPLES, f), 'utf8'));
    out.push([f, r]);
    out.push([`${f} bad status`, { ...r, status: 'not-a-status' }]);
    out.push([`${f} unknown property`, { ...r, nickname: 'x' }]);
    out.push([`${f} id as number`, { ...r, id: 5 }]);
    out.push([`${f} no text div`, { ...r, text: { status: 'generated' } }]);
  });
  for (let n = 0; n < 20; n++) out.push([`push ${n}`, (n % 2 ? reportDoc : patientDoc)(n).body.bundle]);
  return out;
}

/** Sample pushes (a patient, a report), each broken once per way below. */
export function brokenPushes(): [string, unknown][] {
  const out: [string, unknown][] = [];
  const clone = (x: unknown): Json => JSON.parse(JSON.stringify(x));
  const patient = () => clone(patientDoc(3).body.bundle);
  const report = () => clone(reportDoc(4).body.bundle);
  const edits: [string, () => Json, (b: Json) => void][] = [
    ['two choice values', report, (b) => (b.entry[1].resource.valueString = 'x')],
    ['choice with a wrong type suffix', report, (b) => (b.entry[1].resource.valueFoo = 1)],
    ['choice of an unlisted type', report, (b) => ((b.entry[1].resource.valueAddress = { city: 'x' }), delete b.entry[1].resource.valueQuantity)],
    ['effective as Period', report, (b) => ((b.entry[1].resource.effectivePeriod = { start: '2024-01-01' }), delete b.entry[1].resource.effectiveDateTime)],
    ['bad period (per-1)', report, (b) => (b.entry[0].resource.period = { start: '2024-02-01', end: '2024-01-01' })],
    ['missing status', report, (b) => delete b.entry[1].resource.status],
    ['missing code', report, (b) => delete b.entry[2].resource.code],
    ['status as array', report, (b) => (b.entry[1].resource.status = ['final'])],
    ['identifier as object', patient, (b) => (b.entry[0].resource.identifier = { value: '1' })],
    ['given as string', patient, (b) => (b.entry[0].resource.name[0].given = 'Ann')],
    ['null element', patient, (b) => (b.entry[0].resource.gender = null)],
    ['null in array', patient, (b) => b.entry[0].resource.name[0].given.push(null)],
    ['empty object', patient, (b) => (b.entry[0].resource.managingOrganization = {})],
    ['empty object in array', patient, (b) => b.entry[0].resource.name.push({})],
    ['reference as string', patient, (b) => (b.entry[0].resource.managingOrganization = 'Organization/1')],
    ['object for a primitive', patient, (b) => (b.entry[0].resource.birthDate = { value: '2000-01-01' })],
    ['number for a string', patient, (b) => (b.entry[0].resource.name[0].family = 7)],
    ['bad date', patient, (b) => (b.entry[0].resource.birthDate = '2000-13-01')],
    ['whitespace string', patient, (b) => (b.entry[0].resource.name[0].family = '   ')],
    ['decimal for integer', patient, (b) => (b.entry[0].resource.multipleBirthInteger = 1.5)],
    ['primitive extension', patient, (b) => (b.entry[0].resource._birthDate = { extension: [{ url: 'http://x.org/t', valueTime: '10:00:00' }] })],
    ['bare primitive extension', patient, (b) => (b.entry[0].resource._gender = { id: 'g' })],
    ['primitive extension on arrays', patient, (b) => (b.entry[0].resource.name[0]._given = [null, { id: 'x' }])],
    ['extension', patient, (b) => (b.entry[0].resource.extension = [{ url: 'http://x.org/e', valueString: 'x' }])],
    ['extension without url', patient, (b) => (b.entry[0].resource.extension = [{ valueString: 'x' }])],
    [
      'extension with value and children (ext-1)',
      patient,
      (b) => (b.entry[0].resource.extension = [{ url: 'http://x.org/e', valueString: 'x', extension: [{ url: 'a', valueBoolean: true }] }]),
    ],
    ['extension with neither (ext-1)', patient, (b) => (b.entry[0].resource.extension = [{ url: 'http://x.org/e' }])],
    ['modifierExtension', patient, (b) => (b.entry[0].resource.modifierExtension = [{ url: 'http://x.org/m', valueBoolean: true }])],
    [
      'contained',
      patient,
      (b) => (
        (b.entry[0].resource.contained = [{ resourceType: 'Organization', id: 'o', name: 'x' }]),
        (b.entry[0].resource.managingOrganization = { reference: '#o' })
      ),
    ],
    ['contained not referenced', patient, (b) => (b.entry[0].resource.contained = [{ resourceType: 'Organization', id: 'o', name: 'x' }])],
    [
      'contained with text (dom-4)',
      patient,
      (b) =>
        (b.entry[0].resource.contained = [
          { resourceType: 'Organization', id: 'o', name: 'x', text: { status: 'generated', div: '<div xmlns="http://www.w3.org/1999/xhtml">x</div>' } },
        ]),
    ],
    ['contained without resourceType', patient, (b) => (b.entry[0].resource.contained = [{ id: 'o', name: 'x' }])],
    ['contained as object', patient, (b) => (b.entry[0].resource.contained = { resourceType: 'Organization', id: 'o' })],
    ['dangling contained reference (ref-1)', patient, (b) => (b.entry[0].resource.managingOrganization = { reference: '#nope' })],
    ['resourceType inside a datatype', patient, (b) => (b.entry[0].resource.name[0].resourceType = 'Patient')],
    ['entry resource as array', patient, (b) => (b.entry[0].resource = [b.entry[0].resource])],
    ['entry resource of the wrong kind', patient, (b) => (b.entry[0].resource = { resourceType: 'Patient', id: 'x', status: 'active' })],
    ['entry request without method', patient, (b) => delete b.entry[0].request.method],
    ['entry with a search (bdl-7 ok)', patient, (b) => (b.entry[0].search = { mode: 'match' })],
    ['bundle total on a transaction (bdl-1)', patient, (b) => (b.total = 1)],
    ['entry fullUrl as number', patient, (b) => (b.entry[0].fullUrl = 3)],
    ['entry without resource or request', patient, (b) => (b.entry[1] = { fullUrl: 'urn:uuid:x' })],
    [
      'nested bundle',
      patient,
      (b) =>
        b.entry.push({
          fullUrl: 'urn:uuid:nb',
          resource: { resourceType: 'Bundle', type: 'collection', total: 1 },
          request: { method: 'PUT', url: 'Bundle/nb' },
        }),
    ],
    ['observation with related (obs-6)', report, (b) => (b.entry[1].resource.dataAbsentReason = { text: 'x' })],
    ['component without code', report, (b) => (b.entry[1].resource.component = [{ valueString: 'x' }])],
    ['component ok', report, (b) => (b.entry[1].resource.component = [{ code: { text: 'c' }, valueString: 'x' }])],
    ['meta with lastUpdated', patient, (b) => (b.entry[0].resource.meta = { lastUpdated: '2024-01-01T00:00:00Z' })],
    ['meta with bad instant', patient, (b) => (b.entry[0].resource.meta = { lastUpdated: '2024-01-01' })],
    ['narrative', patient, (b) => (b.entry[0].resource.text = { status: 'generated', div: '<div xmlns="http://www.w3.org/1999/xhtml">p</div>' })],
    ['narrative without xhtml ns (txt-?)', patient, (b) => (b.entry[0].resource.text = { status: 'generated', div: '<p>p</p>' })],
    ['quantity with comparator and code without system (qty-3)', report, (b) => (b.entry[1].resource.valueQuantity = { value: 1, code: 'kg' })],
    ['boolean as string', patient, (b) => (b.entry[0].resource.active = 'true')],
    ['uri with a space', patient, (b) => (b.entry[0].resource.identifier[0].system = 'http://x y')],
    ['deep backbone (contact)', patient, (b) => (b.entry[0].resource.contact = [{ name: { text: 'n' }, relationship: [{ text: 'r' }] }])],
    ['empty contact (pat-1)', patient, (b) => (b.entry[0].resource.contact = [{ gender: 'male' }])],
  ];
  for (const [name, make, edit] of edits) {
    const b = make();
    edit(b);
    out.push([`push broken: ${name}`, b]);
  }
  return out;
}

export const verdict = (r: unknown) => validateR4(r).map((i) => `${i.severity} ${i.code} ${i.expression?.join(',')}: ${i.details?.text ?? i.diagnostics}`);
