/**
 * Reading CHT values. Form fields arrive as strings ("12.5", "yes",
 * "2024-03-01"), sometimes as numbers or booleans, sometimes missing, so each
 * reader returns undefined for what it cannot read rather than throwing.
 */

export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
export type Doc = { [key: string]: unknown };

/** Strings longer than this are cut: FHIR caps a string at 1 MB. */
const MAX_TEXT = 1_000_000;

export function isObject(x: unknown): x is Doc {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** obj[key] only when obj itself has it: answers like `__proto__` or `constructor` are data, not lookups. */
export function own<T>(obj: Record<string, T> | undefined, key: string): T | undefined {
  return obj && Object.prototype.hasOwnProperty.call(obj, key) ? obj[key] : undefined;
}

/** Value at a dotted path (`vitals.weight`), or undefined. */
export function at(obj: unknown, path: string): unknown {
  let cur: unknown = obj;
  for (const key of path.split('.')) {
    if (!isObject(cur)) return undefined;
    cur = own(cur, key);
  }
  return cur;
}

/** Control characters and lone surrogates: FHIR strings cannot carry them. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNSAFE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** Text safe for FHIR and for hashing: unsafe characters become U+FFFD. */
export function clean(s: string): string {
  return s.replace(UNSAFE, '\ufffd');
}

export function text(x: unknown): string | undefined {
  if (typeof x === 'string') {
    const t = clean(x).trim();
    return t ? t.slice(0, MAX_TEXT) : undefined;
  }
  if (typeof x === 'number' && isFinite(x)) return String(x);
  if (typeof x === 'boolean') return String(x);
  return undefined;
}

export function decimal(x: unknown): number | undefined {
  if (typeof x === 'number') return isFinite(x) ? x : undefined;
  const t = text(x);
  if (t === undefined || !/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t)) return undefined;
  const n = Number(t);
  return isFinite(n) ? n : undefined;
}

export function integer(x: unknown): number | undefined {
  const n = decimal(x);
  return n !== undefined && Number.isInteger(n) && Math.abs(n) <= 2147483647 ? n : undefined;
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;

/** A day of the Gregorian calendar (`2023-02-30` matches the date regex, and is not one). Years 0-99 too, which Date.UTC would shift by 1900. */
export function isCalendarDate(y: number, m: number, d: number): boolean {
  if (m < 1 || m > 12 || d < 1) return false;
  const days = [31, y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1];
  return days !== undefined && d <= days;
}

/** A FHIR date (YYYY-MM-DD) from a date or date-time string, or epoch ms. */
export function date(x: unknown): string | undefined {
  if (typeof x === 'number') return dateTime(x)?.slice(0, 10);
  const t = text(x);
  if (!t) return undefined;
  const m = DATE.exec(t.slice(0, 10));
  if (!m || !isCalendarDate(Number(m[1]), Number(m[2]), Number(m[3]))) return undefined;
  if (t.length > 10 && !dateTime(t)) return undefined;
  return t.slice(0, 10);
}

/** A FHIR dateTime with a zone (UTC when the input had none) from ISO text or epoch ms. */
export function dateTime(x: unknown): string | undefined {
  if (typeof x === 'number') {
    if (!isFinite(x)) return undefined;
    const d = new Date(x);
    return isNaN(d.getTime()) || d.getUTCFullYear() < 1000 || d.getUTCFullYear() > 9999 ? undefined : d.toISOString();
  }
  const t = text(x);
  if (!t) return undefined;
  // Epoch milliseconds kept as text (an app's timestamp, such as a rapid test reader's).
  if (/^\d{10,15}$/.test(t)) return dateTime(Number(t));
  if (DATE.test(t)) return date(t);
  if (DATE_TIME.test(t)) {
    const ms = Date.parse(t);
    return isNaN(ms) || !date(t.slice(0, 10)) ? undefined : t.replace(/([+-]\d{2})(\d{2})$/, '$1:$2');
  }
  return undefined;
}

/** Answers of a select: XForm multi-selects are space separated. */
export function choices(x: unknown): string[] {
  const t = text(x);
  return t ? t.split(/\s+/) : [];
}
