/**
 * A JSON-able value as a JavaScript literal for the outbound `expr`, which
 * CHT keeps as a JSON string in app settings (every `"` in it is stored as
 * `\"`, and phones download it): keys that are identifiers go unquoted,
 * strings take single quotes, booleans `!0` and `!1`. Same value, about a
 * quarter fewer bytes.
 */
const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

export function jsLiteral(value: unknown): string {
  if (typeof value === 'string') return quote(value);
  // As minifiers write them: the same booleans, two bytes shorter.
  if (typeof value === 'boolean') return value ? '!0' : '!1';
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return '[' + value.map((v) => (v === undefined ? 'null' : jsLiteral(v))).join(',') + ']';
  const parts: string[] = [];
  for (const [k, v] of Object.entries(value)) {
    if (v === undefined) continue;
    // A literal `__proto__:` key sets the prototype; a computed key makes the own property JSON.parse would.
    const key = k === '__proto__' ? `[${quote(k)}]` : IDENTIFIER.test(k) ? k : quote(k);
    parts.push(key + ':' + jsLiteral(v));
  }
  return '{' + parts.join(',') + '}';
}

/** A single-quoted JS string: JSON's escapes, with `'` escaped and `"` left bare. */
function quote(s: string): string {
  return "'" + JSON.stringify(s).slice(1, -1).replace(/\\"/g, '"').replace(/'/g, "\\'") + "'";
}
