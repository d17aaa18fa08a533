import { strict as assert } from 'node:assert';
import type { XFormField, XFormInfo } from '../xform';
import { ConceptTable } from './concepts';
import { formContext, type FormContext } from './context';
import { dateField, dateFormats } from './dates';
import { answerConcepts, leaf, sameInstance } from './fields';
import { ANYONE, actor, place } from './who';

/** The checks every rule kind shares, on a small form: a repeat of babies, a picker, a choice. */
const field = (type: XFormField['type'], more: Partial<XFormField> = {}): XFormField => ({ type, control: true, ...more });
const xform: XFormInfo = {
  id: 'visit',
  root: 'visit',
  title: 'Visit',
  languages: [],
  fields: {
    'group.visit_date': field('date'),
    'group.shown_date': field('string', { calculate: `format-date(\${visit_date}, '%e %b, %Y')` }),
    'group.count': field('int'),
    'group.sign': field('select1', { choices: [{ value: 'fever' }, { value: 'cough' }] }),
    'group.chw': field('string', { rawType: 'db:person' }),
    'group.clinic': field('string', { rawType: 'db:clinic' }),
    'babies.baby.weight': field('decimal', { repeat: 'babies.baby' }),
    'babies.baby.name': field('string', { repeat: 'babies.baby' }),
  },
  groups: { group: { repeat: false, dbDoc: false }, 'babies.baby': { repeat: true, dbDoc: false, inRepeat: 'babies.baby' } },
  tree: [],
  hasInstanceId: true,
};
const terms = { concepts: { fever: { system: 'http://snomed.info/sct', code: '386661006', display: 'Fever' } } };

function context(): FormContext {
  return formContext({ form: 'visit' }, xform, terms, new ConceptTable(terms), 'fhir/forms/visit.json', [], {
    types: { person: 'Patient', clinic: 'Place' },
    practitionerRoles: [],
  });
}

describe('form-rules: the checks rule kinds share', () => {
  it('leaf names what a path is instead of a field, with fields of the same name', () => {
    const ctx = context();
    assert.equal(leaf(ctx, 'group.count', '/x'), xform.fields['group.count']);
    assert.equal(leaf(ctx, 'babies.baby', '/x'), undefined);
    assert.equal(leaf(ctx, 'weight', '/y'), undefined);
    assert.deepEqual(ctx.problems, [
      `fhir/forms/visit.json: /x: 'babies.baby' is a repeat of forms/app/visit.xml, not a field: name one of its fields`,
      `fhir/forms/visit.json: /y: 'weight' is not a field of forms/app/visit.xml (did you mean 'babies.baby.weight'?)`,
    ]);
  });

  it('sameInstance refuses a repeat field read beside a field outside that repeat', () => {
    const ctx = context();
    sameInstance(ctx, 'babies.baby.name', 'babies.baby.weight', '/a');
    sameInstance(ctx, 'babies.baby.name', 'group.count', '/b');
    assert.equal(ctx.problems.length, 1);
    assert.match(
      ctx.problems[0],
      /^fhir\/forms\/visit\.json: \/b: 'babies\.baby\.name' is inside repeat 'babies\.baby' but the rule's field 'group\.count' is not/,
    );
  });

  it('answerConcepts checks each answer as a choice and each concept in the terminology', () => {
    const ctx = context();
    assert.deepEqual(answerConcepts(ctx, 'group.sign', { fever: 'fever', rash: 'fever', cough: 'nope' }, '/o/answers'), {
      fever: 'fever',
      rash: 'fever',
      cough: 'nope',
    });
    assert.deepEqual(ctx.problems, [
      `fhir/forms/visit.json: /o/answers/rash: 'rash' is not a choice of 'group.sign' (choices: fever, cough)`,
      `fhir/forms/visit.json: /o/answers/cough: 'nope' is not a concept in app_settings/fhir/terminology.json (add it there, or write the coding out)`,
    ]);
    assert.deepEqual(ctx.table.concepts, { fever: [0, '386661006', 'Fever'] });
  });

  it('dateField wants a date: not a number, not a date formatted for display', () => {
    const ctx = context();
    dateField(ctx, 'group.visit_date', undefined, '/d1');
    dateField(ctx, 'group.count', undefined, '/d2');
    dateField(ctx, 'group.shown_date', undefined, '/d3');
    assert.deepEqual(ctx.problems, [
      `fhir/forms/visit.json: /d2: 'group.count' is a int field, not a date (if it holds Unix epoch milliseconds, list it in 'epoch_ms')`,
      `fhir/forms/visit.json: /d3: 'group.shown_date' holds a date formatted for display ('%e %b, %Y'): name a field with an ISO date (%Y-%m-%d)`,
    ]);
  });

  it('dateFormats reads the second argument past nested calls and quoted commas', () => {
    assert.deepEqual(dateFormats(`concat(format-date(date(if(x, 'a,b', y)), "%Y-%m-%d"), format-date-time(now(), '%H:%M'))`), ['%Y-%m-%d', '%H:%M']);
    assert.deepEqual(dateFormats(`format-date(\${d})`), []);
  });

  it("actor: a person's _id says what it is in FHIR; a place's is an Organization", () => {
    const ctx = context();
    assert.equal(actor(ctx, 'submitter', undefined, '/p', ANYONE('an Observation')), 'submitter');
    assert.deepEqual(actor(ctx, { field: 'group.chw', as: 'Practitioner' }, undefined, '/p', ANYONE('an Observation')), {
      field: 'group.chw',
      as: 'Practitioner',
    });
    assert.deepEqual(actor(ctx, 'group.clinic', undefined, '/p', ANYONE('an Observation')), { field: 'group.clinic', as: 'Organization' });
    assert.equal(actor(ctx, 'group.chw', undefined, '/q', ANYONE('an Observation')), undefined);
    assert.equal(ctx.problems.length, 1);
    assert.match(ctx.problems[0], /^fhir\/forms\/visit\.json: \/q: 'group\.chw' holds a person's _id: say what that person is in FHIR/);
  });

  it('place: household, facility, a place picker; a person picker is no place', () => {
    const ctx = context();
    assert.equal(place(ctx, 'household', undefined, '/l'), 'household');
    assert.deepEqual(place(ctx, 'group.clinic', undefined, '/l'), { field: 'group.clinic' });
    assert.deepEqual(place(ctx, 'group.chw', undefined, '/m'), { field: 'group.chw' });
    assert.equal(ctx.problems.length, 1);
    assert.match(ctx.problems[0], /^fhir\/forms\/visit\.json: \/m: 'group\.chw' holds no place's _id/);
  });
});
