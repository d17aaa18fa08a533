import { strict as assert } from 'node:assert';
import { holds } from './when';
import type { When } from './model';

describe('core/when: relevant-style conditions with XPath node-set semantics', () => {
  const values: Record<string, unknown[]> = { fever: ['yes'], temp: ['38.5'], signs: ['cough rash'], babies: ['alive', 'dead'], empty: [] };
  const read = (path: string) => values[path] ?? [];
  const check = (w: When) => holds(w, read);

  it('compares strings and numbers; a missing answer reads as an empty string', () => {
    assert.ok(check(['=', ['.', 'fever'], 'yes']));
    assert.ok(check(['>', ['.', 'temp'], 37.5]));
    assert.ok(!check(['<=', ['.', 'temp'], 38]));
    assert.ok(check(['=', ['.', 'missing'], '']));
    assert.ok(check(['!=', ['.', 'temp'], 'abc']), 'a number and a non-number are never equal');
  });

  it('a field with several values holds when any value does (a repeat not bound by the rule)', () => {
    assert.ok(check(['=', ['.', 'babies'], 'dead']));
    assert.ok(check(['=', ['.', 'babies'], 'alive']));
  });

  it('selected(), answered, not, and, or', () => {
    assert.ok(check(['sel', 'signs', 'rash']));
    assert.ok(!check(['sel', 'signs', 'fever']));
    assert.ok(check(['.', 'fever']) && !check(['.', 'empty']));
    assert.ok(check(['and', ['.', 'fever'], ['not', ['.', 'empty']]]));
    assert.ok(check(['or', ['.', 'empty'], ['sel', 'signs', 'cough']]));
  });
});
