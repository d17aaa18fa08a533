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
  const parser = new WhenParser(tokenize(src), resolve, root);
  const when = parser.or();
  if (!parser.done()) parser.fail('unexpected');
  return { when, values: parser.values };
}

/** Recursive descent with XPath's precedence: or < and < a comparison, not(), selected() or a group. */
class WhenParser {
  readonly values: Array<[string, string]> = [];
  private i = 0;

  constructor(
    private readonly tokens: Token[],
    private readonly resolve: (ref: string, byName: boolean) => string,
    private readonly root: string | undefined,
  ) {}

  done(): boolean {
    return this.i >= this.tokens.length;
  }

  fail(what: string): never {
    const t = this.peek();
    throw new Error(`${what} ${t ? `at '${t.text}' (character ${t.at + 1})` : 'at the end'}`);
  }

  or(): When {
    return this.joined('or', () => this.and());
  }

  private and(): When {
    return this.joined('and', () => this.primary());
  }

  /** `part (word part)*`, as [word, ...parts] when there are several. */
  private joined(word: 'and' | 'or', part: () => When): When {
    const parts = [part()];
    while (this.isWord(word)) {
      this.i++;
      parts.push(part());
    }
    return parts.length > 1 ? [word, ...parts] : parts[0]!;
  }

  private primary(): When {
    if (this.peek()?.text === '(') {
      this.i++;
      return this.closed(this.or());
    }
    if (this.isCall('not')) {
      this.i += 2;
      return ['not', this.closed(this.or())];
    }
    if (this.isCall('selected')) {
      this.i += 2;
      return this.selected();
    }
    return this.comparison();
  }

  private selected(): When {
    const path = this.fieldRef();
    this.expect(',');
    const v = this.peek();
    if (v?.kind !== 'str') return this.fail('selected() takes a field and a quoted value');
    this.i++;
    this.expect(')');
    this.values.push([path, v.text]);
    return ['sel', path, v.text];
  }

  /** `operand op operand`, or a field alone (it has a value); a field compared with a string is noted in `values`. */
  private comparison(): When {
    const left = this.operand();
    const op = this.peek();
    if (op?.kind !== 'op') {
      if (Array.isArray(left)) return left;
      return this.fail('a value alone is not a condition');
    }
    this.i++;
    const right = this.operand();
    for (const [a, b] of [
      [left, right],
      [right, left],
    ])
      if (Array.isArray(a) && typeof b === 'string') this.values.push([a[1] as string, b]);
    return [op.text, left, right];
  }

  private operand(): When | string | number {
    const t = this.peek();
    if (t?.kind === 'str') return (this.i++, t.text);
    if (t?.kind === 'num') return (this.i++, Number(t.text));
    return ['.', this.fieldRef()];
  }

  private fieldRef(): string {
    const t = this.peek();
    if (t?.kind === 'field') return (this.i++, this.resolve(t.text, true));
    if (t?.kind === 'name') return (this.i++, this.resolve(t.text, false));
    if (t?.kind === 'abs') {
      // An absolute XPath as the XForm writes it: /<root>/group/field.
      const [first, ...rest] = t.text.split('/').filter(Boolean);
      if (first !== this.root) this.fail(`an absolute path starts with /${this.root ?? '<root>'}/`);
      return (this.i++, this.resolve(rest.join('.'), false));
    }
    return this.fail('expected a field');
  }

  private closed(e: When): When {
    this.expect(')');
    return e;
  }

  private expect(text: string): void {
    if (this.peek()?.text !== text) this.fail(`expected '${text}'`);
    this.i++;
  }

  private peek(): Token | undefined {
    return this.tokens[this.i];
  }

  private isWord(w: string): boolean {
    return this.peek()?.kind === 'name' && this.peek()?.text === w;
  }

  private isCall(name: string): boolean {
    return this.isWord(name) && this.tokens[this.i + 1]?.text === '(';
  }
}
