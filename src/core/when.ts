import type { When } from './model';
import { choices, decimal, text } from './values';

/**
 * Evaluates a compiled `when` (see model.ts) the way XPath compares node
 * sets: a field is every value it has in scope (one per repeat instance when
 * the rule does not bind the repeat), and a comparison holds when it holds
 * for any of them. A missing answer reads as ''.
 */
export function holds(w: When, read: (path: string) => unknown[]): boolean {
  const op = String(w[0]);
  const arg = (i: number) => w[i] as When;
  switch (op) {
    case 'and':
      return w.slice(1).every((x) => holds(x as When, read));
    case 'or':
      return w.slice(1).some((x) => holds(x as When, read));
    case 'not':
      return !holds(arg(1), read);
    case '.':
      return read(String(w[1])).some((v) => text(v) !== undefined);
    case 'sel':
      return read(String(w[1])).some((v) => choices(v).indexOf(String(w[2])) >= 0);
  }
  const left = operand(w[1] ?? '', read);
  const right = operand(w[2] ?? '', read);
  return left.some((l) => right.some((r) => compare(op, l, r)));
}

function operand(x: When | string | number, read: (path: string) => unknown[]): Array<string | number> {
  if (!Array.isArray(x)) return [x];
  const values = read(String(x[1])).map((v) => text(v) ?? '');
  return values.length ? values : [''];
}

function compare(op: string, l: string | number, r: string | number): boolean {
  if (typeof l === 'number' || typeof r === 'number' || (op !== '=' && op !== '!=')) {
    const a = decimal(l);
    const b = decimal(r);
    if (a === undefined || b === undefined) return op === '!=';
    return op === '=' ? a === b : op === '!=' ? a !== b : op === '<' ? a < b : op === '<=' ? a <= b : op === '>' ? a > b : a >= b;
  }
  return op === '=' ? l === r : l !== r;
}
