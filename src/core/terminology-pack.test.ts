import { strict as assert } from 'node:assert';
import fs from 'node:fs';
import path from 'node:path';
import type { Terminology } from './terminology';
import { type PackedTerminology, packTerminology, unpackTerminology } from './terminology-pack';

const roundTrip = (t: Terminology) => unpackTerminology(JSON.parse(JSON.stringify(packTerminology(t))) as PackedTerminology);

describe('core/terminology-pack: the table the extension libs carry', () => {
  it('unpacks to the same table: the reference terminology', () => {
    const file = path.join(__dirname, '../../app_settings/fhir/terminology.json');
    const { concepts, units } = JSON.parse(fs.readFileSync(file, 'utf8')) as Terminology;
    assert.deepEqual(roundTrip({ concepts, units }), { concepts, units });
  });

  it('unpacks to the same table: every element optional, languages missing here and there, empty strings', () => {
    const t: Terminology = {
      concepts: {
        coded: { system: 'http://loinc.org', code: '1-8', display: 'One' },
        'text-only': { text: 'Only text' },
        both: { system: 'http://snomed.info/sct', code: '2', display: 'Two', text: 'Deux', category: '' },
        'first-language-missing': { text: 'x', category: 'survey', translations: { sw: 'y' } },
        'second-language-missing': { system: 'http://loinc.org', code: '3', display: 'Three', translations: { fr: 'Trois' } },
        'no-translations-at-all': { text: 't', translations: {} },
        constructor: { text: 'a key Object.prototype has' },
      },
      units: { kg: { display: 'kg' }, Cel: { display: '\u00b0C', translations: { fr: '\u00b0C' } } },
    };
    assert.deepEqual(roundTrip(t), t);
    assert.deepEqual(roundTrip({ concepts: {} }), { concepts: {} });
  });

  it('names each system and category once', () => {
    const packed = packTerminology({
      concepts: {
        a: { system: 'http://loinc.org', code: '1', display: 'A', category: 'vital-signs' },
        b: { system: 'http://loinc.org', code: '2', display: 'B', category: 'vital-signs' },
      },
    });
    assert.deepEqual(packed.strings, ['http://loinc.org', 'vital-signs']);
    assert.deepEqual(packed.concepts, { a: [1, '1', 'A', 2], b: [1, '2', 'B', 2] });
  });
});
