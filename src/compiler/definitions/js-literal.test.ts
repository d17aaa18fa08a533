import { strict as assert } from 'node:assert';
import vm from 'node:vm';
import { jsLiteral } from './js-literal';

describe('jsLiteral', () => {
  const cases: unknown[] = [
    { field: 'a.b', answers: { yes: 'x', '3_days': ['p', 'q'], 'a-b': 1 }, n: -1.5e-7, t: true, z: null },
    ["it's", 'say "hi"', 'back\\slash', 'new\nline', '\u2028', '\u0000', '</script>', 'é'],
    { __proto__x: 1, constructor: 'c', $a: { _b: [] } },
    JSON.parse('{"__proto__": {"polluted": 1}, "x": 2}'),
    [],
    {},
  ];
  for (const value of cases)
    it(`evaluates back to the same value: ${JSON.stringify(value).slice(0, 40)}`, () => {
      const back = vm.runInNewContext('(' + jsLiteral(value) + ')') as unknown;
      assert.equal(JSON.stringify(back), JSON.stringify(value));
      assert.deepEqual(Object.keys(back as object), Object.keys(value as object));
    });
  it('leaves out undefined properties, as JSON does', () => {
    assert.equal(jsLiteral({ a: undefined, b: 1 }), '{b:1}');
  });
  it('is shorter than JSON once stored as a JSON string', () => {
    const value = { field: 'danger_signs.fever', answers: { yes: 'fever' }, scope: 'episode' };
    assert.ok(JSON.stringify(jsLiteral(value)).length < JSON.stringify(JSON.stringify(value)).length * 0.8);
  });
});
