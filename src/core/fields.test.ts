import { strict as assert } from 'node:assert';
import type { Shape } from './model';
import { answersAt, fullPath, leafCode } from './fields';
import { shortestSuffix } from '../compiler/definitions/field-refs';

describe('fields: a field named by its shortest unique suffix', () => {
  const shape: Shape = {
    fever: '1',
    pnc: { fever: '1', outcome: '1' },
    babies: { baby: [{ details: { fever: '1', weight: 'd' }, child_doc: 's' }] },
    x: { y: 's' },
    z: { x: { y: 's' } },
  };
  const leaves = ['fever', 'pnc.fever', 'pnc.outcome', 'babies.baby.details.fever', 'babies.baby.details.weight', 'babies.baby.child_doc', 'x.y', 'z.x.y'];

  it("the shortest suffix no other field ends with; a path that is another field's suffix keeps more", () => {
    assert.deepEqual(
      leaves.map((p) => shortestSuffix(p, leaves)),
      ['fever', 'pnc.fever', 'outcome', 'details.fever', 'weight', 'child_doc', 'x.y', 'z.x.y'],
    );
  });

  it('reads every suffix back to its path, and a full path to itself', () => {
    for (const p of leaves) {
      assert.equal(fullPath(shape, shortestSuffix(p, leaves)), p);
      assert.equal(fullPath(shape, p), p);
    }
    assert.equal(fullPath(shape, 'not.a.field'), 'not.a.field');
  });

  it("answers and ids are the full path's: a suffix reads the same values with the same parts", () => {
    const fields = { babies: { baby: [{ details: { weight: '3.1' } }, { details: { weight: '2.9' } }] } };
    assert.deepEqual(answersAt(fields, shape, 'weight'), answersAt(fields, shape, 'babies.baby.details.weight'));
    assert.deepEqual(
      answersAt(fields, shape, 'weight').map((a) => a.part),
      ['babies.baby[1].details.weight', 'babies.baby[2].details.weight'],
    );
    assert.equal(leafCode(shape, 'weight'), 'd');
  });
});
