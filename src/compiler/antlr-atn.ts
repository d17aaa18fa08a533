/**
 * ANTLR's generated lexer and parser carry their state machine as a string
 * of mostly control characters; an ASCII-only minified file writes each as
 * a 4-6 byte escape. This packs every char code into printable ASCII
 * (1 char below 90, else a marker and 3 base-90 digits) and leaves a tiny
 * decoder in the generated file: the same string, about a quarter the size.
 */
const ALPHABET = Array.from({ length: 92 }, (_, i) => String.fromCharCode(35 + i))
  .filter((c) => c !== '\\')
  .join(''); // 91 chars: '#'..'~' without '\'
const BASE = 90;
const MARK = ALPHABET[BASE];

export function packAtn(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < BASE) out += ALPHABET[c];
    else out += MARK + ALPHABET.charAt(Math.floor(c / BASE / BASE)) + ALPHABET.charAt(Math.floor(c / BASE) % BASE) + ALPHABET.charAt(c % BASE);
  }
  return out;
}

/** JavaScript source of an expression that evaluates to the original string. */
export function atnDecoderSource(packed: string): string {
  return `(function (p, a) { var o = '', i = 0, d = function () { return a.indexOf(p.charAt(i++)); }; while (i < p.length) { var c = d(); o += String.fromCharCode(c < ${BASE} ? c : d() * ${BASE * BASE} + d() * ${BASE} + d()); } return o; })(${JSON.stringify(packed)}, ${JSON.stringify(ALPHABET)})`;
}

/** Rewrites `const serializedATN = [...].join("");` in a generated ANTLR file; null when there is none. */
export function compactSerializedAtn(code: string): string | null {
  const m = /const serializedATN = (\[(?:\s*"(?:[^"\\]|\\.)*"\s*,?)*\s*\])\.join\(""\);/.exec(code);
  if (!m) return null;
  // A literal array of string literals, from the installed generated file.
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- evaluates the installed fhirpath's generated literal, at build time
  const parts = (new Function(`return ${m[1]};`) as () => string[])();
  const original = parts.join('');
  const packed = packAtn(original);
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- runs the decoder the lib will ship, to prove it round-trips
  const decoded = (new Function(`return ${atnDecoderSource(packed)};`) as () => string)();
  if (decoded !== original) throw new Error('serialized ATN does not survive packing');
  return code.slice(0, m.index) + `const serializedATN = ${atnDecoderSource(packed)};` + code.slice(m.index + m[0].length);
}
