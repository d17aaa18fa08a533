import { strict as assert } from 'node:assert';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT } from '../../harness/repo';
import { parseXForm } from '../../src/compiler/definitions/xform';
import { shapeOf } from '../../src/compiler/definitions/shape';
import { answersAt } from '../../src/core/fields';
import { questionnaireFor } from '../../src/compiler/definitions/questionnaire';
import { assertValidR4 } from '../../src/fhir-validation';

/**
 * The XForm reader on constructs the reference forms do not all use: relative
 * refs, nested repeats, a repeat with neither jr:count nor jr:template, an
 * external (CSV) itemset, a default language that is not listed first, image
 * values beside text, <output> in labels, contact pickers, other bind types,
 * notes (test/fixtures/forms/hh.xml).
 */
const XML = fs.readFileSync(path.join(ROOT, 'test/fixtures/forms/hh.xml'), 'utf8');

describe('XForm reader', () => {
  const x = parseXForm(XML, 'hh.xml');

  it('default language first, image values skipped, <output> shown by name', () => {
    assert.deepEqual(x.languages, ['en', 'sw']);
    assert.deepEqual(x.fields.visit_date.label, { en: 'Visit date', sw: 'Tarehe' });
    assert.deepEqual(x.fields['members.member.age'].label, { en: 'Age of {name}', sw: 'Umri' });
  });

  it('relative refs inside groups and repeats resolve; nested repeats are found without jr:count or jr:template', () => {
    assert.equal(x.fields['members.member.name'].control, true);
    assert.equal(x.fields['members.member.illnesses.illness.kind'].type, 'select1');
    assert.deepEqual(
      x.fields['members.member.illnesses.illness.kind'].choices?.map((c) => c.value),
      ['malaria', 'cough'],
    );
    assert.equal(x.fields['members.member.illnesses.illness.kind'].repeat, 'members.member.illnesses.illness');
    assert.equal(x.groups['members.member'].repeat, true);
    assert.equal(x.groups['members.member.illnesses.illness'].inRepeat, 'members.member.illnesses.illness');
  });

  it('an external itemset has unknown choices (not an empty list); other bind types are kept as written', () => {
    assert.equal(x.fields.village.type, 'select1');
    assert.equal(x.fields.village.choices, undefined);
    assert.equal(x.fields.location.type, 'string');
    assert.equal(x.fields.location.rawType, 'geopoint');
    assert.equal(x.fields['members.member.illnesses.illness.onset'].type, 'date', 'xsd: prefix');
    assert.equal(x.fields.head_id.appearance, 'select-contact type-person');
  });

  it('notes become display items with plain text, multiline inputs text items', () => {
    const q = questionnaireFor({ identifierBase: 'https://example.org/sid', namespace: '8c0d2a5e-3b7f-4e2a-9d61-5f4b2c7e1a90' }, x);
    assertValidR4(q);
    assert.deepEqual(
      q.item!.find((i) => i.linkId === 'intro'),
      { linkId: 'intro', text: 'Ask all members', type: 'display' },
    );
    assert.equal(q.item!.find((i) => i.linkId === 'comments')!.type, 'text');
    assert.equal(q.item!.find((i) => i.linkId === 'visit_date')!.type, 'date');
  });

  it('db-doc sections (any case of true) and relative db-doc-refs', () => {
    assert.equal(x.groups['members.member.profile'].dbDoc, true);
    assert.equal(x.fields['members.member.profile_ref'].dbDocRef, 'members.member.profile');
    assert.equal(x.fields.visit_date.dbDocRef, undefined);
  });

  it('the shape marks repeats, nested ones included, and only typed leaves', () => {
    assert.deepEqual(shapeOf(x), { visit_date: 'D', village: '1', members: { member: [{ age: 'i', illnesses: { illness: [{ kind: '1', onset: 'D' }] } }] } });
  });

  it('answers through nested repeats: one per instance, numbered like position(), scoped for the same instance', () => {
    const fields = {
      members: {
        member: [
          { name: 'A', illnesses: { illness: [{ kind: 'malaria' }, { kind: 'cough' }] } },
          { name: 'B', illnesses: { illness: { kind: 'cough' } } },
        ],
      },
    };
    const shape = shapeOf(x);
    const kinds = answersAt(fields, shape, 'members.member.illnesses.illness.kind');
    assert.deepEqual(
      kinds.map((a) => [a.value, a.part]),
      [
        ['malaria', 'members.member[1].illnesses.illness[1].kind'],
        ['cough', 'members.member[1].illnesses.illness[2].kind'],
        ['cough', 'members.member[2].illnesses.illness[1].kind'],
      ],
    );
    assert.deepEqual(
      answersAt(fields, shape, 'members.member.name', kinds[2].scope).map((a) => a.value),
      ['B'],
    );
  });
});
