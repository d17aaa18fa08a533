import type { When } from '../../core/model';

/**
 * Parses a rule's `when`: the part of XPath a CHT admin writes in XLSForm
 * `relevant` columns. Fields are `${name}` (XLSForm style, resolved by name),
 * dotted paths as in `field`, or absolute paths as in the XForm
 * (`/delivery/outcome/mode`); then `=`, `!=`, `<`, `<=`, `>`, `>=`,
 * `selected(field, 'value')`, `not(...)`, `and`, `or`, parentheses, 'strings'
 * and numbers. The result is the compact form the core evaluates
 * (core/when.ts). Each field goes through `resolve`, which returns its path
 * or throws with what is wrong.
 */

export interface ParsedWhen {
  when: When;
  /** Fields compared with a string or tested with selected(): [path, value]. */
  values: Array<[string, string]>;
}

type Token = { kind: 'op' | 'str' | 'num' | 'name' | 'field' | 'abs' | 'punct'; text: string; at: number };

const TOKEN =
  /\s*(?:(\$\{[A-Za-z_][\w.-]*\})|('[^']*'|"[^"]*")|(\d+(?:\.\d+)?)|(!=|<=|>=|=|<|>)|([(),])|([A-Za-z_][\w-]*(?:\.[A-Za-z_][\w-]*)*)|(\/[A-Za-z_][\w-]*(?:\/[A-Za-z_][\w-]*)+))/y;

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < src.length) {
    if (/^\s*$/.test(src.slice(TOKEN.lastIndex))) break;
    const at = TOKEN.lastIndex;
    const m = TOKEN.exec(src);
    if (!m) {
      const rest = src.slice(at).trim();
      if (rest.startsWith('.')) throw new Error(`a relative XPath ('${rest.slice(0, 20)}') has no context here: write \${name} or the dotted path`);
      throw new Error(`cannot read '${rest.slice(0, 20)}' at character ${at + 1}`);
    }
    const [, field, str, num, op, punct, name, abs] = m;
    if (field) out.push({ kind: 'field', text: field.slice(2, -1), at });
    else if (str) out.push({ kind: 'str', text: str.slice(1, -1), at });
    else if (num) out.push({ kind: 'num', text: num, at });
    else if (op) out.push({ kind: 'op', text: op, at });
    else if (punct) out.push({ kind: 'punct', text: punct, at });
    else if (abs) out.push({ kind: 'abs', text: abs, at });
    else out.push({ kind: 'name', text: name!, at }); // the tokenizer's last alternative
  }
  return out;
}

export function parseWhen(src: string, resolve: (ref: string, byName: boolean) => string, root?: string): ParsedWhen {
  const tokens = tokenize(src);
  const values: Array<[string, string]> = [];
  let i = 0;
  const peek = () => tokens[i];
  const fail = (what: string): never => {
    const t = peek();
    throw new Error(`${what} ${t ? `at '${t.text}' (character ${t.at + 1})` : 'at the end'}`);
  };
  const expect = (text: string) => {
    if (peek()?.text !== text) fail(`expected '${text}'`);
    i++;
  };
  const isWord = (w: string) => peek()?.kind === 'name' && peek()?.text === w;

  const fieldRef = (): string => {
    const t = peek();
    if (t?.kind === 'field') return (i++, resolve(t.text, true));
    if (t?.kind === 'name') return (i++, resolve(t.text, false));
    if (t?.kind === 'abs') {
      // An absolute XPath as the XForm writes it: /<root>/group/field.
      const [first, ...rest] = t.text.split('/').filter(Boolean);
      if (first !== root) fail(`an absolute path starts with /${root ?? '<root>'}/`);
      return (i++, resolve(rest.join('.'), false));
    }
    return fail('expected a field');
  };
  const operand = (): When | string | number => {
    const t = peek();
    if (t?.kind === 'str') return (i++, t.text);
    if (t?.kind === 'num') return (i++, Number(t.text));
    return ['.', fieldRef()];
  };
  const primary = (): When => {
    if (peek()?.text === '(') {
      i++;
      const e = or();
      expect(')');
      return e;
    }
    if (isWord('not') && tokens[i + 1]?.text === '(') {
      i += 2;
      const e = or();
      expect(')');
      return ['not', e];
    }
    if (isWord('selected') && tokens[i + 1]?.text === '(') {
      i += 2;
      const path = fieldRef();
      expect(',');
      const v = peek();
      if (v?.kind !== 'str') return fail('selected() takes a field and a quoted value');
      i++;
      expect(')');
      values.push([path, v.text]);
      return ['sel', path, v.text];
    }
    const left = operand();
    const op = peek();
    if (op?.kind !== 'op') {
      if (Array.isArray(left)) return left;
      return fail('a value alone is not a condition');
    }
    i++;
    const right = operand();
    for (const [a, b] of [
      [left, right],
      [right, left],
    ])
      if (Array.isArray(a) && typeof b === 'string') values.push([a[1] as string, b]);
    return [op.text, left, right];
  };
  const and = (): When => {
    const parts = [primary()];
    while (isWord('and')) {
      i++;
      parts.push(primary());
    }
    return parts.length > 1 ? ['and', ...parts] : parts[0]!;
  };
  const or = (): When => {
    const parts = [and()];
    while (isWord('or')) {
      i++;
      parts.push(and());
    }
    return parts.length > 1 ? ['or', ...parts] : parts[0]!;
  };
  const when = or();
  if (i < tokens.length) fail('unexpected');
  return { when, values };
}
