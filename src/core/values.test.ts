import { strict as assert } from 'node:assert';
import { at, choices, date, dateTime, decimal, integer, isCalendarDate, text } from './values';

describe('core/values: reading what CHT stored, never throwing', () => {
  it('text: trims, keeps numbers and booleans, drops empty and control characters', () => {
    assert.equal(text('  a b '), 'a b');
    assert.equal(text(3.5), '3.5');
    assert.equal(text(false), 'false');
    assert.equal(text('   '), undefined);
    assert.equal(text(NaN), undefined);
    assert.equal(text({}), undefined);
    assert.equal(text('a\u0000b'), 'a\ufffdb');
  });

  it('decimal and integer: plain numbers only, no hex, no Infinity, integers within 32 bits', () => {
    assert.deepEqual(['12', '-0.5', '.5', '1e3', 7].map(decimal), [12, -0.5, 0.5, 1000, 7]);
    assert.deepEqual(['0x10', '1,5', 'Infinity', '', '1e999'].map(decimal), [undefined, undefined, undefined, undefined, undefined]);
    assert.deepEqual(['42', '4.2', '2147483648'].map(integer), [42, undefined, undefined]);
  });

  it('date and dateTime: real calendar dates, zones kept or made UTC, epoch ms accepted', () => {
    assert.equal(date('2024-02-29'), '2024-02-29');
    assert.equal(date('2023-02-29'), undefined);
    assert.equal(date('2024-03-01T10:00:00+03:00'), '2024-03-01');
    assert.equal(date('1 Mar, 2024'), undefined);
    assert.equal(dateTime('2024-03-01T10:00+0300'), '2024-03-01T10:00+03:00');
    assert.equal(dateTime('2024-03-01T10:00'), undefined, 'no zone: ambiguous');
    assert.equal(dateTime(0), '1970-01-01T00:00:00.000Z');
    assert.equal(dateTime(1e17), undefined);
  });

  it('choices splits a multi-select; at reads dotted paths through objects (own keys only), never into arrays', () => {
    assert.deepEqual(choices(' fever  cough '), ['fever', 'cough']);
    assert.deepEqual(choices(undefined), []);
    assert.equal(at({ a: { b: { c: 'x' } } }, 'a.b.c'), 'x');
    assert.equal(at({ a: [{ c: 'x' }] }, 'a.0.c'), undefined);
    assert.equal(at({}, 'constructor'), undefined);
    assert.equal(at({ a: 1 }, 'a.b.c'), undefined);
  });

  it('isCalendarDate: leap years by the Gregorian rule, years below 100 as they are (the one check core and validation share)', () => {
    assert.deepEqual(
      [
        [2024, 2, 29],
        [2000, 2, 29],
        [50, 1, 31],
        [4, 2, 29],
      ].map(([y, m, d]) => isCalendarDate(y, m, d)),
      [true, true, true, true],
    );
    assert.deepEqual(
      [
        [2023, 2, 29],
        [1900, 2, 29],
        [2024, 4, 31],
        [2024, 13, 1],
        [2024, 1, 0],
      ].map(([y, m, d]) => isCalendarDate(y, m, d)),
      [false, false, false, false, false],
    );
    assert.equal(date('0050-01-31'), '0050-01-31');
  });
});
