/**
 * CHT calls an extension lib two ways: from forms with openrosa-xpath values
 * ({t:'str', v}, node arrays as {t:'arr', v:[Element]}) expecting a {t, v}
 * back, and from tasks/targets/contact summary with plain JS values expecting
 * a plain value. This adapter gives lib code one view of both and never lets
 * an exception reach the form.
 */

export interface XPathValue {
  t: string;
  v: unknown;
}

/** One argument, read leniently whatever shape it came in. */
export interface Arg {
  /** The raw JS value (for XPath values: the text, number, boolean or Date). */
  readonly raw: unknown;
  /** Trimmed text ('' when missing). */
  text(): string;
}

function isXPathValue(x: unknown): x is XPathValue {
  return typeof x === 'object' && x !== null && typeof (x as XPathValue).t === 'string' && 'v' in x;
}

function nodeText(n: unknown): string {
  return n && typeof (n as Node).textContent === 'string' ? ((n as Node).textContent as string) : '';
}

export function toArg(x: unknown): Arg {
  let raw: unknown = x;
  if (isXPathValue(x)) {
    if (x.t === 'arr') {
      const list = Array.isArray(x.v) ? x.v : [];
      raw = list[0] === undefined ? undefined : nodeText(list[0]);
    } else {
      raw = x.v;
    }
  }
  return {
    raw,
    text() {
      if (raw === undefined || raw === null) return '';
      if (raw instanceof Date) return isNaN(raw.getTime()) ? '' : raw.toISOString();
      if (typeof raw === 'object') return '';
      // eslint-disable-next-line @typescript-eslint/no-base-to-string -- objects were handled above
      return String(raw).trim();
    },
  };
}

export type LibResult = string | number | boolean;

/** Wraps lib logic as the function CHT loads; any throw becomes the empty value. */
export function extensionLib(impl: (...args: Arg[]) => LibResult) {
  return function (this: unknown, ...args: unknown[]): unknown {
    const fromXPath = args.some(isXPathValue);
    let out: LibResult;
    try {
      out = impl(...padded(args.map(toArg)));
    } catch (e) {
      out = '';
    }
    if (!fromXPath) return out;
    if (typeof out === 'number') return { t: 'num', v: out };
    if (typeof out === 'boolean') return { t: 'bool', v: out };
    return { t: 'str', v: out };
  };
}

const EMPTY = toArg(undefined);
function padded(args: Arg[]): Arg[] {
  while (args.length < 8) args.push(EMPTY);
  return args;
}
