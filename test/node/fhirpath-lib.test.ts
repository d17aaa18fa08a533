import { strict as assert } from 'node:assert';
import fs from 'node:fs';
import path from 'node:path';
import fhirpath from 'fhirpath';
import fullR4 from 'fhirpath/fhir-context/r4';
import { loadLikeCht } from '../../src/compiler/cht-lib-loader';
import { ROOT } from '../../harness/repo';
import { buildR4Model, decoderOf, r4Model } from '../../src/runtime/extension-libs/support/r4-model';
import { compact } from '../../src/runtime/extension-libs/support/r4-compact-data';
import { decodeR4, r4MapsDecoder } from '../../src/runtime/extension-libs/support/r4-model-codec';
import { BoundedCache } from '../../src/runtime/extension-libs/support/bounded-cache';
import { UcumLhcUtils } from '../../src/runtime/extension-libs/support/ucum-shim';

type Lib = (...args: unknown[]) => unknown;
const load = (name: string) => loadLikeCht(fs.readFileSync(path.join(ROOT, 'extension-libs', name), 'latin1')) as Lib;
const example = (file: string) => fs.readFileSync(path.join(ROOT, 'node_modules/hl7.fhir.r4.examples', file), 'utf8');
const str = (v: string) => ({ t: 'str', v });
const node = (text: string) => ({ t: 'arr', v: [{ textContent: text }] });

/** What the lib should answer: the full fhirpath package's first primitive result, or ''. */
function expected(expression: string, json: string): string | number | boolean {
  const [first] = fhirpath.evaluate(JSON.parse(json), expression, undefined, fullR4, { async: false }) as unknown[];
  return typeof first === 'string' || typeof first === 'number' || typeof first === 'boolean' ? first : '';
}

describe('fhirpath.js extension lib (built file, loaded as CHT loads it)', () => {
  const lib = load('fhirpath.js');
  const build = load('fhir-build.js');
  const weight = build('observation', 'body-weight', '62.5', 'kg', 'uuid:abc', 'woman-1') as string;

  it('reads a choice-type value from an Observation the fhir-build lib made, for XPath and JS callers', () => {
    assert.equal(lib('Observation.value.value', weight), 62.5);
    assert.deepEqual(lib(str('Observation.value.value'), node(weight)), { t: 'num', v: 62.5 });
    assert.deepEqual(lib(str('Observation.value.unit'), str(weight)), { t: 'str', v: 'kg' });
    assert.deepEqual(lib(str('Observation.value.exists()'), node(weight)), { t: 'bool', v: true });
    assert.equal(lib('Observation.value is Quantity', weight), true);
    assert.equal(lib('Observation.value.ofType(Quantity).code', weight), 'kg');
    assert.equal(lib('Observation.code.coding.where(system = %loinc).code', weight), '', 'no %loinc variable: empty, no throw');
    assert.equal(lib("Observation.code.coding.where(system = 'http://loinc.org').code", weight), '29463-7');
  });

  it('JS callers may pass an object, which is left untouched', () => {
    const obs = JSON.parse(weight);
    const before = JSON.stringify(obs);
    assert.equal(lib('Observation.valueQuantity.value > 60', obs), true);
    assert.equal(JSON.stringify(obs), before);
  });

  it("'all' joins every primitive result with spaces, like a multi-select", () => {
    const patient = example('Patient-example.json');
    assert.equal(lib('Patient.name.given', patient, 'all'), 'Peter James Jim Peter James');
    assert.deepEqual(lib(str('Patient.name.given'), str(patient), str('all')), { t: 'str', v: 'Peter James Jim Peter James' });
    assert.equal(lib('Patient.name.given', patient), 'Peter');
    assert.equal(lib('Patient.name', patient, 'all'), '', 'objects are skipped');
  });

  it('gives the same first result as the full fhirpath package on the official examples', () => {
    const table: Array<[string, string]> = [
      ['Patient-example.json', 'Patient.birthDate'],
      ['Patient-example.json', 'Patient.birthDate < @2000-01-01'],
      ['Patient-example.json', "Patient.name.where(use = 'official').family"],
      ['Patient-example.json', 'Patient.telecom.count()'],
      ['Patient-example.json', 'Patient.deceased'],
      ['Patient-example.json', 'Patient.deceased.exists()'],
      ['Patient-example.json', "Patient.active and Patient.gender = 'male'"],
      ['Patient-example.json', 'Patient.contact.relationship.coding.code'],
      ['Patient-example.json', 'Patient.birthDate.toString().substring(0, 4)'],
      ['Patient-example.json', "Patient.extension.where(url = 'x').exists().not()"],
      ['Patient-example.json', "Patient.name.given.first() + ' ' + Patient.name.family.first()"],
      ['Observation-example.json', 'Observation.value.value'],
      ['Observation-example.json', 'Observation.valueQuantity.unit'],
      ['Observation-example.json', 'Observation.effective'],
      ['Observation-example.json', 'Observation.effective > @2016-01-01'],
      ['Observation-example.json', 'Observation.effective.ofType(dateTime).exists()'],
      ['Observation-example.json', "Observation.value > 180 'lbs'"],
      ['Observation-example.json', 'Observation.value.value * 2'],
      ['Observation-example.json', 'Observation.subject.reference'],
      ['Observation-blood-pressure.json', "Observation.component.where(code.coding.code = '8480-6').value.value"],
      ['Observation-blood-pressure.json', 'Observation.component.value.value.sum()'],
      ['Observation-blood-pressure.json', 'Observation.interpretation.coding.code'],
      ['Observation-body-temperature.json', 'Observation.value.code'],
      ['Observation-vitals-panel.json', 'Observation.hasMember.count()'],
      ['Observation-f001.json', 'Observation.referenceRange.low.value'],
      ['Observation-f001.json', 'Observation.issued'],
      ['Condition-example.json', 'Condition.onset'],
      ['Condition-example.json', 'Condition.onset is dateTime'],
      ['Condition-example.json', 'Condition.code.text'],
      ['Immunization-example.json', 'Immunization.occurrence'],
      ['Immunization-example.json', 'Immunization.doseQuantity.value'],
      ['Immunization-example.json', 'Immunization.protocolApplied.doseNumber'],
      ['Encounter-example.json', 'Encounter.class.code'],
      ['Bundle-bundle-transaction.json', 'Bundle.entry.resource.ofType(Patient).birthDate'],
      ['Bundle-bundle-transaction.json', "Bundle.entry.where(request.method = 'PUT').count()"],
      ['Bundle-bundle-transaction.json', 'Bundle.entry.resource.where($this is Patient).name.family.first()'],
      ['QuestionnaireResponse-f201.json', "QuestionnaireResponse.item.item.where(linkId = '1.1').answer.value"],
      ['QuestionnaireResponse-3141.json', 'QuestionnaireResponse.repeat(item).answer.value.count()'],
      ['Questionnaire-f201.json', 'Questionnaire.item.item.type'],
    ];
    for (const [file, expression] of table) {
      const json = example(file);
      const want = expected(expression, json);
      assert.deepEqual(lib(expression, json), want, `${file}: ${expression}`);
    }
    // The table would prove little if every answer were empty.
    assert.ok(table.filter(([f, e]) => expected(e, example(f)) !== '').length >= 35);
  });

  it('dates and quantities keep their FHIRPath types (they need the R4 model)', () => {
    const patient = example('Patient-example.json');
    assert.equal(lib('Patient.birthDate', patient), '1974-12-25');
    assert.equal(lib('Patient.birthDate is date', patient), true);
    assert.equal(lib('Patient.birthDate + 1 year', patient), '1975-12-25');
    assert.equal(lib("Observation.value > 60000 'g'", weight), true, 'kg and g convert on the device');
    assert.equal(lib("Observation.value < 70 'kg'", weight), true);
  });

  it('without the full UCUM package, units it does not know give empty, never a crash', () => {
    const glucose = JSON.stringify({
      resourceType: 'Observation',
      status: 'final',
      code: { text: 'glucose' },
      valueQuantity: { value: 5.5, system: 'http://unitsofmeasure.org', code: 'mmol/L' },
    });
    assert.equal(lib("Observation.value > 5 'mmol/L'", glucose), true, 'the same unit needs no conversion');
    assert.equal(lib("Observation.value > 90 'mg/dL'", glucose), '', 'compound units do not convert on the device');
    assert.equal(lib("Observation.value > 36 'Cel'", weight), '', 'different properties are not comparable');
    assert.equal(lib("(Observation.value * 2 'kg').value", weight), '');
    assert.equal(lib('Observation.value.distinct().count()', weight), 1);
    const ucum = UcumLhcUtils.getInstance();
    assert.equal(ucum.convertUnitTo('[lb_av]', 1, 'kg').status, 'succeeded');
    assert.equal(ucum.convertUnitTo('kg', 1, 'm').status, 'failed');
    assert.equal(ucum.convertToBaseUnits('mg/dL', 1).status, 'failed');
  });

  it('server features and stubs answer empty: memberOf, %terminologies, %factory, htmlChecks, resolve()', () => {
    for (const expression of [
      "Observation.code.coding.memberOf('http://hl7.org/fhir/ValueSet/observation-codes')",
      "%terminologies.expand('x')",
      "%factory.Coding('s', 'c')",
      'Observation.text.div.htmlChecks()',
      'Observation.subject.resolve().name',
    ]) {
      assert.equal(lib(expression, weight), '', expression);
    }
  });

  it('bad input gives the empty value: empty, malformed JSON, invalid FHIRPath, objects, missing nodes', () => {
    assert.equal(lib('Observation.value.value', ''), '');
    assert.equal(lib('Observation.value.value', '{"resourceType": "Obs'), '');
    assert.equal(lib('Observation.value.value', '42'), '');
    assert.equal(lib('Observation.value.value', 'null'), '');
    assert.equal(lib('Observation..value', weight), '');
    assert.equal(lib('((', weight), '');
    assert.equal(lib('', weight), '');
    assert.equal(lib('Observation.value', weight), '', 'a Quantity is an object');
    assert.equal(lib('Observation.nothing', weight), '');
    assert.deepEqual(lib(str('Observation.value.value'), { t: 'arr', v: [] }), { t: 'str', v: '' });
    assert.deepEqual(lib(str('%x.y'), node(weight)), { t: 'str', v: '' }, 'unknown variable');
    assert.equal(lib('1/0', weight), '');
  });

  it('never throws into a form: 5,000 random calls', () => {
    let seed = 7;
    const rand = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    const pick = <T>(xs: T[]): T => xs[Math.floor(rand() * xs.length)];
    const expressions = [
      'Observation.value.value',
      'Patient.name.given',
      "where(x = 'y')",
      '((',
      '$this',
      '%resource.id',
      'iif(true, 1, 2)',
      '1 / 0',
      "Observation.value > 1 'mg/dL'",
      'now()',
      'repeat(item)',
      'ofType(Quantity)',
      'descendants().count()',
      "'a' + 1",
      "trace('x')",
      'aggregate($total + 1, 0)',
      "Observation.value.toQuantity('g')",
      '@2020-13-45',
      'x.y.z[',
      "defineVariable('v', 1).select(%v)",
    ];
    const docs = [
      weight,
      example('Patient-example.json'),
      example('Observation-blood-pressure.json'),
      '[]',
      '[1,2]',
      '{}',
      '"text"',
      '{"resourceType":',
      '{"resourceType":"Observation","valueQuantity":{"value":"NaN"}}',
      '{"a":{"b":{"c":[null,true,1e999]}}}',
    ];
    const junk = (): unknown => {
      switch (Math.floor(rand() * 12)) {
        case 0:
          return undefined;
        case 1:
          return null;
        case 2:
          return pick(expressions);
        case 3:
          return pick(docs);
        case 4:
          return str(pick(expressions));
        case 5:
          return node(pick(docs));
        case 6:
          return { t: 'arr', v: pick([[], null, [null], [{}]]) };
        case 7:
          return { t: 'num', v: rand() < 0.2 ? NaN : rand() * 1e6 };
        case 8:
          return { t: 'date', v: new Date(rand() < 0.2 ? NaN : rand() * 2e12) };
        case 9:
          return pick(docs).slice(0, Math.floor(rand() * 40)) + String.fromCharCode(Math.floor(rand() * 0xffff));
        case 10:
          return JSON.parse(pick(docs.slice(0, 3)));
        default:
          return { t: 'bool', v: rand() < 0.5 };
      }
    };
    for (let i = 0; i < 5000; i++) {
      const args = [
        rand() < 0.7 ? pick([pick(expressions), str(pick(expressions))]) : junk(),
        rand() < 0.8 ? pick([pick(docs), node(pick(docs))]) : junk(),
        ...(rand() < 0.3 ? [junk()] : []),
      ];
      let out: unknown;
      assert.doesNotThrow(() => (out = lib(...args)), JSON.stringify(args).slice(0, 200));
      const fromXPath = args.some((a) => typeof a === 'object' && a !== null && typeof (a as { t?: unknown }).t === 'string' && 'v' in a);
      if (fromXPath) assert.ok(out && typeof out === 'object' && ['str', 'num', 'bool'].includes((out as { t: string }).t), JSON.stringify(out));
      else assert.ok(['string', 'number', 'boolean'].includes(typeof out), typeof out);
    }
  });
});

describe('fhirpath.js lib internals', () => {
  const plain = (m: unknown) => JSON.parse(JSON.stringify(m, (_k, v) => (v instanceof Set ? [...v].sort() : v)));

  it('the compact R4 model rebuilds exactly fhirpath/fhir-context/r4', () => {
    const m = buildR4Model();
    decoderOf(m).openAll();
    assert.deepStrictEqual(plain(m), plain(fullR4));
    assert.ok(r4Model().choiceTypePaths['Observation.value'].includes('Quantity'));
  });

  it('each root type decodes alone to the same paths as the whole model', () => {
    const all = decodeR4(compact);
    const under = (maps: Record<string, unknown>, root: string) => Object.entries(maps).filter(([p]) => p.startsWith(root + '.'));
    const roots = [...new Set(Object.keys(all.path2Type).map((p) => p.split('.')[0]))];
    assert.ok(roots.length > 200, `${roots.length} roots`);
    for (const root of roots) {
      const { maps: got, decoder } = r4MapsDecoder(compact);
      decoder.open(root);
      assert.deepEqual(under(got.path2Type, root), under(all.path2Type, root), root);
      assert.deepEqual(
        got.path2Repeating.filter((p) => p.startsWith(root + '.')).sort(),
        all.path2Repeating.filter((p) => p.startsWith(root + '.')).sort(),
        root,
      );
      assert.deepEqual(under(got.choiceTypePaths, root), under(all.choiceTypePaths, root), root);
    }
  });

  it('a FHIRPath call decodes only the root types it touches, and answers as the full model does', () => {
    const m = buildR4Model();
    const decoder = decoderOf(m);
    assert.equal(decoder.opened.size, 0, 'nothing decoded before the first lookup');
    const obs = JSON.parse(example('Observation-example.json'));
    const expressions = [
      'Observation.value.value',
      'Observation.valueQuantity.unit',
      'Observation.effective.ofType(dateTime).exists()',
      'Observation.subject.reference',
    ];
    for (const e of expressions)
      assert.deepEqual(
        fhirpath.evaluate(JSON.parse(JSON.stringify(obs)), e, undefined, m, { async: false }),
        fhirpath.evaluate(JSON.parse(JSON.stringify(obs)), e, undefined, fullR4, { async: false }),
        e,
      );
    assert.ok(decoder.opened.has('Observation') && decoder.opened.has('Quantity'));
    assert.ok(!decoder.opened.has('Patient') && !decoder.opened.has('Questionnaire'));
    assert.ok(decoder.opened.size < 25, `${decoder.opened.size} of ${compact.roots.length} roots decoded: ${[...decoder.opened].join(' ')}`);
  });

  it('the lazy maps behave as plain objects: unknown paths, `in`, Object.prototype members', () => {
    const m = buildR4Model() as unknown as { path2Type: Record<string, unknown> };
    assert.equal(m.path2Type['Observation.nothing'], undefined);
    assert.equal(m.path2Type['NoSuchType.x'], undefined);
    assert.equal(m.path2Type['Observation.status'], 'code');
    assert.ok('Observation.status' in m.path2Type);
    assert.ok(!('Observation.nothing' in m.path2Type));
    assert.equal(m.path2Type.constructor, Object);
    assert.equal(typeof m.path2Type.hasOwnProperty, 'function');
    assert.ok(Object.prototype.hasOwnProperty.call(m.path2Type, 'Observation.status'));
  });

  it('the bounded cache keeps the most recently used keys only', () => {
    const cache = new BoundedCache<number>(2);
    let made = 0;
    const make = () => ++made;
    cache.get('a', make);
    cache.get('b', make);
    cache.get('a', make); // a is now the most recent
    cache.get('c', make); // evicts b
    assert.equal(cache.size, 2);
    assert.equal(cache.get('a', make), 1);
    assert.equal(cache.get('b', make), 4, 'b was evicted and made again');
  });
});
