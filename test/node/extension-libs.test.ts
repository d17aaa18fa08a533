import { strict as assert } from 'node:assert';
import fs from 'node:fs';
import path from 'node:path';
import { loadLikeCht } from '../../src/compiler/cht-lib-loader';
import { ROOT } from '../../harness/repo';
import { assertValidR4 } from '../../src/fhir-validation';
import { stableId } from '../../src/core/ids';

type Lib = (...args: unknown[]) => unknown;
const load = (name: string) => loadLikeCht(fs.readFileSync(path.join(ROOT, 'extension-libs', name), 'latin1')) as Lib;
const str = (v: string) => ({ t: 'str', v });
const settings = JSON.parse(fs.readFileSync(path.join(ROOT, 'app_settings/fhir/settings.json'), 'utf8'));

describe('extension libs (built files, loaded as CHT loads them)', () => {
  describe('fhir-build.js', () => {
    const build = load('fhir-build.js');

    it('builds a valid Observation with a UCUM quantity, stable id and subject', () => {
      const json = build('observation', 'body-weight', '62.5', 'kg', 'uuid:abc', 'woman-1') as string;
      const obs = JSON.parse(json);
      assertValidR4(obs);
      assert.equal(obs.resourceType, 'Observation');
      assert.deepEqual(obs.valueQuantity, { value: 62.5, unit: 'kg', system: 'http://unitsofmeasure.org', code: 'kg' });
      assert.equal(obs.code.coding[0].code, '29463-7');
      assert.equal(obs.id, stableId(settings.id_namespace, 'Observation', 'uuid:abc/body-weight'), 'keyed on the concept when no field is named');
      assert.equal(obs.subject.reference, 'Patient/' + stableId(settings.id_namespace, 'Patient', 'woman-1'));
      assert.equal(build('observation', 'body-weight', '62.5', 'kg', 'uuid:abc', 'woman-1'), json, 'a recalculation gives the same JSON');
    });

    it('builds coded, integer, boolean and string values, all valid', () => {
      for (const [type, value, key] of [
        ['coded', 'positive', 'malaria-rdt'],
        ['integer', '52', 'respiratory-rate'],
        ['boolean', 'yes', 'fever'],
        ['string', 'text', 'symptoms'],
        ['dateTime', '2026-01-02', 'lmp-date'],
      ]) {
        const obs = JSON.parse(build('observation', key, value, type, 'uuid:1') as string);
        assert.equal(obs.resourceType, 'Observation', `${type}: ${JSON.stringify(obs)}`);
        assertValidR4(obs);
      }
    });

    it('answers XPath callers with {t:"str"} and JS callers with a string', () => {
      const r = build(str('observation'), str('body-weight'), str('60'), str('kg'), str('uuid:1')) as { t: string; v: string };
      assert.equal(r.t, 'str');
      assert.equal(JSON.parse(r.v).valueQuantity.value, 60);
    });

    it('empty value -> empty string; bad input -> a valid OperationOutcome the form can show', () => {
      assert.equal(build('observation', 'body-weight', '', 'kg', 'uuid:1'), '');
      for (const args of [
        ['observation', 'no-such-concept', '1', 'kg', 'uuid:1'],
        ['observation', 'body-weight', 'heavy', 'kg', 'uuid:1'],
        ['observation', 'body-weight', '60', 'kg', ''],
        ['observation', 'malaria-rdt', 'maybe', 'coded', 'uuid:1'],
        ['patient', 'x'],
      ]) {
        const out = JSON.parse(build(...args) as string);
        assert.equal(out.resourceType, 'OperationOutcome', JSON.stringify(args));
        assertValidR4(out);
      }
    });
  });

  describe('fhir-terminology.js', () => {
    const term = load('fhir-terminology.js');
    it('looks up codes, systems, displays, translations and units', () => {
      assert.equal(term('code', 'body-weight'), 'http://loinc.org|29463-7');
      assert.equal(term('system', 'malaria-icd11'), 'http://id.who.int/icd/release/11/mms');
      assert.equal(term('value', 'malaria-icd11'), '1F4Z');
      assert.equal(term('display', 'body-temperature'), 'Body temperature');
      assert.equal(term('display', 'body-temperature', 'fr'), 'Temp\u00e9rature corporelle');
      assert.equal(term('display', 'body-temperature', 'xx'), 'Body temperature');
      assert.equal(term('display', 'severe-acute-malnutrition'), 'Severe acute malnutrition (MUAC < 115 mm)');
      assert.equal(term('unit', 'Cel', 'fr'), '\u00b0C');
      assert.deepEqual(term(str('display'), str('fever'), str('sw')), { t: 'str', v: 'Homa' });
    });
    it('unknown keys and verbs give the empty value', () => {
      assert.equal(term('code', 'nope'), '');
      assert.equal(term('code', 'severe-acute-malnutrition'), '');
      assert.equal(term('frobnicate', 'fever'), '');
      assert.equal(term('display', '__proto__'), '');
      assert.equal(term('display', 'constructor'), '');
    });
  });

  describe('never throws into a form (fuzz)', () => {
    const junk = (rand: () => number): unknown => {
      const pick = Math.floor(rand() * 14);
      switch (pick) {
        case 0:
          return undefined;
        case 1:
          return null;
        case 2:
          return rand() * 1e6 - 5e5;
        case 3:
          return String.fromCharCode(...Array.from({ length: Math.floor(rand() * 20) }, () => Math.floor(rand() * 0xffff)));
        case 4:
          return { t: 'str', v: ['observation', 'display', 'code', 'unit', 'body-weight', 'kg', 'coded', ''][Math.floor(rand() * 8)] };
        case 5:
          return { t: 'num', v: rand() < 0.1 ? NaN : rand() * 100 };
        case 6:
          return { t: 'bool', v: rand() < 0.5 };
        case 7:
          return { t: 'date', v: new Date(rand() < 0.2 ? NaN : rand() * 2e12) };
        case 8:
          return { t: 'arr', v: [] };
        case 9:
          return { t: 'arr', v: [{ textContent: String(rand() * 100) }] };
        case 10:
          return { t: 'arr', v: null };
        case 11:
          return { t: 'weird', v: { toString: null } };
        case 12:
          return ['observation', 'body-weight', 'malaria-rdt', 'positive', 'uuid:x', '62', 'kg', 'integer'][Math.floor(rand() * 8)];
        default:
          return Object.create(null);
      }
    };

    it('5,000 random calls per lib: no throw, the right result shape', () => {
      let seed = 42;
      const rand = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
      const names = fs.readdirSync(path.join(ROOT, 'extension-libs')).filter((f) => f.endsWith('.js'));
      for (const name of names) {
        const lib = load(name);
        for (let i = 0; i < 5000; i++) {
          const args = Array.from({ length: Math.floor(rand() * 7) }, () => junk(rand));
          let out: unknown;
          assert.doesNotThrow(() => (out = lib(...args)), `${name}(${args.map((a) => typeof a).join(',')})`);
          const fromXPath = args.some((a) => typeof a === 'object' && a !== null && typeof (a as { t?: unknown }).t === 'string' && 'v' in a);
          if (fromXPath)
            assert.ok(out && typeof out === 'object' && ['str', 'num', 'bool'].includes((out as { t: string }).t), `${name}: ${JSON.stringify(out)}`);
          else assert.ok(['string', 'number', 'boolean'].includes(typeof out), `${name}: ${typeof out}`);
          if (name === 'fhir-build.js') {
            const text = fromXPath ? (out as { v: string }).v : (out as string);
            if (text) JSON.parse(text); // always JSON when not empty
          }
        }
      }
    });
  });
});
