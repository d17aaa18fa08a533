import { strict as assert } from 'node:assert';
import path from 'node:path';
import type { FormModel, RuleList } from '../../core/model';
import { rulesOf } from '../../core/rules';
import { compileDefinitions } from './compile';
import { hoistDefaults } from './hoist';
import { jsLiteral } from './js-literal';

const LISTS: RuleList[] = ['observations', 'conditions', 'immunizations', 'procedures', 'appointments', 'medications', 'referrals'];

describe('hoistDefaults: what most rules share, written once', () => {
  const form: FormModel = {
    shape: {},
    conditions: [
      { field: 'a', answers: { yes: 'x' }, scope: 'episode', subject: 'kid' },
      { field: 'b', answers: { yes: 'y' }, scope: 'episode', subject: 'kid' },
      { field: 'c', answers: { yes: 'z' }, scope: 'episode', subject: 'kid' },
      { field: 'd', answers: { yes: 'w' }, scope: 'patient' },
    ],
    observations: [{ field: 'e', code: 'q' }],
  };

  it('moves a shared value to defaults; a rule without it gets 0 (none), one with another value keeps its own', () => {
    const out = hoistDefaults(form);
    assert.deepEqual(out.defaults?.conditions, { scope: 'episode', subject: 'kid' });
    assert.deepEqual(out.conditions?.[3], { field: 'd', answers: { yes: 'w' }, scope: 'patient', subject: 0 });
    assert.equal(out.defaults?.observations, undefined, 'one rule: nothing to share');
    assert.ok(jsLiteral(out).length < jsLiteral(form).length);
  });

  it('rulesOf gives back every rule as it was, on the reference forms and on the hand-made one', () => {
    const model = compileDefinitions(path.resolve(__dirname, '../../..')).model;
    for (const f of [form, ...Object.values(model.forms)]) {
      // The build hoists already: undo it to compare with the rules before.
      const before: FormModel = { ...f, defaults: undefined };
      for (const list of LISTS) (before as unknown as Record<string, unknown>)[list] = f[list] ? rulesOf(f, list) : undefined;
      const hoisted = hoistDefaults(before);
      for (const list of LISTS) assert.deepEqual(hoisted[list] ? rulesOf(hoisted, list) : undefined, before[list], list);
    }
  });
});
