import { strict as assert } from 'node:assert';
import { holds } from '../../core/when';
import { parseWhen } from './parse-when';

describe('when: parsed at build time, evaluated like XPath', () => {
  const resolve = (ref: string) =>
    ['a', 'b', 'n', 'g.sel'].includes(ref)
      ? ref
      : ref === 'sel'
        ? 'g.sel'
        : (() => {
            throw new Error(`no ${ref}`);
          })();
  const run = (src: string, values: Record<string, unknown[]>) => holds(parseWhen(src, resolve).when, (p) => values[p] ?? []);

  it('comparisons, selected(), not(), and/or with XPath precedence, ${name} and dotted paths', () => {
    assert.equal(run("a = 'x' or b = 'y' and n > 3", { a: ['x'], b: ['z'], n: ['1'] }), true);
    assert.equal(run("(a = 'x' or b = 'y') and n > 3", { a: ['x'], b: ['z'], n: ['1'] }), false);
    assert.equal(run("selected(${sel}, 'fever') and not(n >= 10)", { 'g.sel': ['cough fever'], n: ['9.5'] }), true);
    assert.equal(run('n != 2', { n: ['2.0'] }), false, 'numbers compare as numbers');
    assert.equal(run("a = ''", {}), true, 'a missing answer reads as empty');
    assert.equal(run('a', { a: [''] }), false, 'a field alone holds when it has a value');
    assert.equal(run('n < 5', { n: ['abc'] }), false, 'a non-number never compares');
    assert.equal(run("a = 'x'", { a: ['y', 'x'] }), true, 'any value of a node set');
  });

  it('refuses what it cannot read, saying where', () => {
    assert.throws(() => parseWhen("a == 'x'", resolve), /at '=' \(character 4\)/);
    assert.throws(() => parseWhen('selected(a)', resolve), /expected ','/);
    assert.throws(() => parseWhen("a = 'x' b", resolve), /unexpected at 'b'/);
    assert.throws(() => parseWhen('zz = 1', resolve), /no zz/);
    assert.throws(() => parseWhen("a = 'x' ; drop", resolve), /cannot read ';/);
  });
});
