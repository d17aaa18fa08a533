import { strict as assert } from 'node:assert';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT } from '../../harness/repo';
import { assertValidR4, preloadR4Definitions, validateR4 } from '../../src/fhir-validation';
import { outcomeOf } from '../../src/core/outcome';

const EXAMPLES = path.join(ROOT, 'node_modules/hl7.fhir.r4.examples');

/**
 * Official examples that are themselves invalid R4 (or trip a known invariant
 * defect of the R4 definitions); each is checked to fail for that reason only.
 */
const KNOWN_INVALID: Record<string, RegExp> = {
  'Binary-example.json': /Binary\.data: Invalid base64Binary/, // truncated sample data
  'Media-example.json': /Media\.content\.data: Invalid base64Binary/,
  'Questionnaire-qs1.json': /linkId: Missing required property/, // example predates linkId being 1..1
  'RiskAssessment-breastcancer-risk.json': /ras-2/, // ras-2 compares a decimal with a Range: known R4 errata
  'RiskAssessment-prognosis.json': /ras-2/,
};

function exampleFiles(): string[] {
  return fs
    .readdirSync(EXAMPLES)
    .filter((f) => f.endsWith('.json') && f !== 'package.json' && !f.startsWith('.'))
    .sort();
}

function readExample(file: string): Record<string, unknown> {
  return JSON.parse(fs.readFileSync(path.join(EXAMPLES, file), 'utf8'));
}

/** A deterministic spread over every resource type: the first three examples of each type, then every 8th file. */
function sample(): string[] {
  const files = exampleFiles().filter((f) => fs.statSync(path.join(EXAMPLES, f)).size < 150_000);
  const seenTypes = new Map<string, number>();
  return files.filter((f, i) => {
    const type = f.split('-')[0];
    const n = seenTypes.get(type) ?? 0;
    seenTypes.set(type, n + 1);
    // Conformance resources (SearchParameter, StructureDefinition...) carry their own errata; we never receive them.
    if (/^(SearchParameter|StructureDefinition|CodeSystem|ValueSet|ConceptMap|CapabilityStatement)-/.test(f)) return false;
    return n < 3 || i % 8 === 0;
  });
}

function messages(resource: unknown): string[] {
  return validateR4(resource).map((i) => `${i.expression?.join(',')}: ${i.details?.text}`);
}

describe('FHIR R4 validation', function () {
  this.timeout(120000);
  before(() => preloadR4Definitions());

  describe('official R4 examples (hl7.fhir.r4.examples)', () => {
    it('a few hundred examples across every resource type are valid', () => {
      const files = sample();
      assert.ok(files.length >= 300, `sampled ${files.length}`);
      const failures: string[] = [];
      for (const file of files) {
        if (KNOWN_INVALID[file]) continue;
        const found = messages(readExample(file));
        if (found.length) failures.push(`${file}: ${found.join('; ')}`);
      }
      assert.deepEqual(failures, []);
    });

    it('the known invalid examples fail, for the documented reason', () => {
      for (const [file, reason] of Object.entries(KNOWN_INVALID)) {
        const found = messages(readExample(file));
        assert.ok(found.length > 0, file);
        assert.ok(
          found.every((m) => reason.test(m)),
          `${file}: ${found.join('; ')}`,
        );
      }
    });

    it('every sampled example with a status fails once its status is not a code of its required value set', () => {
      let mutated = 0;
      for (const file of sample()) {
        const r = readExample(file);
        if (typeof r.status !== 'string' || KNOWN_INVALID[file]) continue;
        r.status = 'not-a-status';
        const found = messages(r);
        assert.ok(
          found.some((m) => m.startsWith(`${String(r.resourceType)}.status: Value "not-a-status" is not in the required value set`)),
          `${file}: ${found.join('; ')}`,
        );
        mutated++;
      }
      assert.ok(mutated > 100, `mutated ${mutated}`);
    });
  });

  describe('broken resources fail, naming the path', () => {
    const cases: [string, unknown, RegExp][] = [
      [
        'bad code in a required binding (Patient.gender)',
        { resourceType: 'Patient', gender: 'boy' },
        /^Patient\.gender: Value "boy" is not in the required value set http:\/\/hl7\.org\/fhir\/ValueSet\/administrative-gender/,
      ],
      ['bad Observation.status', { resourceType: 'Observation', status: 'done', code: { text: 'x' } }, /^Observation\.status: Value "done"/],
      [
        'bad code in a datatype (Quantity.comparator)',
        { resourceType: 'Observation', status: 'final', code: { text: 'x' }, valueQuantity: { value: 1, comparator: '==' } },
        /^Observation\.valueQuantity\.comparator: Value "=="/,
      ],
      [
        'bad code in a backbone (Patient.contact.gender)',
        { resourceType: 'Patient', contact: [{ name: { text: 'A' }, gender: 'x' }] },
        /^Patient\.contact\[0\]\.gender: Value "x"/,
      ],
      [
        'bad code via contentReference (Questionnaire.item.item.type)',
        { resourceType: 'Questionnaire', status: 'active', item: [{ linkId: 'a', type: 'group', item: [{ linkId: 'b', type: 'text-ish' }] }] },
        /^Questionnaire\.item\[0\]\.item\[0\]\.type: Value "text-ish"/,
      ],
      [
        'bad code of a backbone code element (Patient.link.type)',
        { resourceType: 'Patient', link: [{ other: { reference: 'Patient/x' }, type: 'replaced-by-ish' }] },
        /^Patient\.link\[0\]\.type: Value "replaced-by-ish"/,
      ],
      [
        'bad Coding in a required CodeableConcept (Condition.clinicalStatus)',
        {
          resourceType: 'Condition',
          subject: { reference: 'Patient/x' },
          clinicalStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'cured' }] },
        },
        /^Condition\.clinicalStatus\.coding\[0\]: Code "cured" of http:\/\/terminology\.hl7\.org\/CodeSystem\/condition-clinical is not in the required value set/,
      ],
      [
        'bad code in a contained resource',
        { resourceType: 'Patient', contained: [{ resourceType: 'Patient', id: 'c', gender: 'boy' }] },
        /^Patient\.contained\[0\]\.gender: Value "boy"/,
      ],
      ['wrong date format', { resourceType: 'Patient', birthDate: '12/01/2020' }, /^Patient\.birthDate: Invalid date format/],
      ['impossible month', { resourceType: 'Patient', birthDate: '2020-13-01' }, /^Patient\.birthDate: Invalid date format/],
      [
        'wrong dateTime format',
        { resourceType: 'Observation', status: 'final', code: { text: 'x' }, effectiveDateTime: '2024-01-01 10:00' },
        /^Observation\.effective\[x\]|^Observation\.effectiveDateTime/,
      ],
      ['unknown property', { resourceType: 'Patient', nickname: 'Bo' }, /^Patient\.nickname: Invalid additional property/],
      ['missing required element', { resourceType: 'Observation', status: 'final' }, /^Observation\.code: Missing required property/],
      ['wrong JSON type', { resourceType: 'Patient', active: 'yes' }, /^Patient\.active: Invalid JSON type/],
      ['unknown resource type', { resourceType: 'Patient2' }, /^resourceType: Unknown resourceType "Patient2"/],
      ['not an object', [{ resourceType: 'Patient' }], /must be a JSON object/],
      ['__proto__ key', JSON.parse('{"resourceType":"Patient","__proto__":{"admin":true}}'), /^Patient\.__proto__: Forbidden property name/],
      ['empty string', { resourceType: 'Patient', birthDate: '' }, /^Patient\.birthDate: Empty string/],
      ['empty array', { resourceType: 'Patient', name: [] }, /^Patient\.name: Empty array/],
      [
        'dateTime with a time but no zone',
        { resourceType: 'Observation', status: 'final', code: { text: 'x' }, effectiveDateTime: '2024-01-01T10:00:00' },
        /^Observation\.effectiveDateTime: dateTime "2024-01-01T10:00:00" has a time but no time zone/,
      ],
      [
        'two values of one choice element',
        { resourceType: 'Observation', status: 'final', code: { text: 'x' }, valueString: 'a', valueBoolean: true },
        /^Observation\.value(String|Boolean): Only one of value(String|Boolean) and value(String|Boolean) may be present/,
      ],
      ['deep nesting', { resourceType: 'Patient', extension: [nest(60)] }, /Nested deeper than/],
    ];
    for (const [name, resource, expected] of cases) {
      it(name, () => {
        const found = messages(resource);
        assert.ok(
          found.some((m) => expected.test(m)),
          found.join('\n') || '(valid)',
        );
      });
    }

    it('a transaction Bundle: every entry is checked and named by its position', () => {
      const bundle = {
        resourceType: 'Bundle',
        type: 'transaction',
        entry: [
          {
            fullUrl: 'urn:uuid:0b4c6c52-0a40-5a4c-8d51-5a1e5d7b2c11',
            resource: { resourceType: 'Patient', id: '0b4c6c52-0a40-5a4c-8d51-5a1e5d7b2c11', gender: 'female' },
            request: { method: 'PUT', url: 'Patient/0b4c6c52-0a40-5a4c-8d51-5a1e5d7b2c11' },
          },
          {
            fullUrl: 'urn:uuid:1',
            resource: { resourceType: 'Observation', status: 'done', code: { text: 'x' } },
            request: { method: 'PUT', url: 'Observation/1' },
          },
          { fullUrl: 'urn:uuid:2', resource: { resourceType: 'Patient', birthDate: 'May 1990' }, request: { method: 'PUT', url: 'Patient/2' } },
          { fullUrl: 'urn:uuid:3', resource: 5, request: { method: 'PUT', url: 'Patient/3' } },
        ],
      };
      const found = messages(bundle);
      assert.ok(
        found.some((m) => m.startsWith('Bundle.entry[1].resource.status: Value "done"')),
        found.join('\n'),
      );
      assert.ok(
        found.some((m) => m.startsWith('Bundle.entry[2].resource.birthDate: Invalid date format')),
        found.join('\n'),
      );
      assert.ok(
        found.some((m) => m.startsWith('Bundle.entry[3].resource:')),
        found.join('\n'),
      );
      assert.ok(!found.some((m) => m.startsWith('Bundle.entry[0]')), found.join('\n'));
    });

    it('a Bundle entry with an unknown resource type is named, not a crash', () => {
      const found = messages({ resourceType: 'Bundle', type: 'collection', entry: [{ resource: { resourceType: 'Nope' } }] });
      assert.ok(
        found.some((m) => m.startsWith('Bundle.entry[0].resource: Unknown resourceType "Nope"')),
        found.join('\n'),
      );
    });

    it('codes of systems outside the bound value set are left alone; codes of its own system are judged', () => {
      const withCoding = (system: string, code: string) => ({ resourceType: 'Patient', communication: [{ language: { coding: [{ system, code }] } }] });
      assert.deepEqual(messages(withCoding('urn:ietf:bcp:47', 'fr')), []); // preferred binding, external system
      const encounter = (code: string) => ({
        resourceType: 'Encounter',
        status: 'finished',
        class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code },
      });
      assert.deepEqual(messages(encounter('AMB')), []);
    });
  });

  it('assertValidR4 throws listing every issue; outcomeOf wraps them', () => {
    assert.doesNotThrow(() => assertValidR4({ resourceType: 'Patient', gender: 'female', birthDate: '2001-02-03' }));
    assert.throws(
      () => assertValidR4({ resourceType: 'Patient', id: 'p1', gender: 'boy', birthDate: 'x' }),
      (e: Error) => {
        assert.match(e.message, /^Patient\/p1 is not valid FHIR R4:/);
        assert.match(e.message, /Patient\.gender: Value "boy"/);
        assert.match(e.message, /Patient\.birthDate: Invalid date format/);
        return true;
      },
    );
    const outcome = outcomeOf(validateR4({ resourceType: 'Patient', gender: 'boy' }));
    assert.equal(outcome.resourceType, 'OperationOutcome');
    assert.equal(outcome.issue[0].severity, 'error');
    assert.deepEqual(outcome.issue[0].expression, ['Patient.gender']);
    assert.deepEqual(validateR4(outcome), []);
  });
});

function nest(depth: number): Record<string, unknown> {
  let ext: Record<string, unknown> = { url: 'http://example.org/leaf', valueString: 'x' };
  for (let i = 0; i < depth; i++) ext = { url: `http://example.org/${i}`, extension: [ext] };
  return ext;
}
