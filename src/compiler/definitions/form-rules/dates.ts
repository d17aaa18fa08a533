import type { XFormField } from '../xform';
import { report, type FormContext } from './context';
import { leaf, sameInstance } from './fields';

/** Fields named as dates must hold dates FHIR can read. */

/** Formats that give an ISO 8601 date or date-time, which FHIR can read. */
const ISO_FORMAT = /^%Y-%m-%d(T%H:%M(:%S(\.%3)?)?(%z)?)?$/;

/** A problem when the field holds no date: a number, a choice, or a date formatted for display. */
export function notDate(ctx: FormContext, path: string, f: XFormField | undefined, where: string): void {
  if (ctx.epochs.has(path)) return;
  if (f && ['int', 'decimal', 'boolean', 'select1', 'select'].indexOf(f.type) >= 0)
    report(
      ctx,
      where,
      `'${path}' is a ${f.type} field, not a date${f.type === 'int' || f.type === 'decimal' ? ` (if it holds Unix epoch milliseconds, list it in 'epoch_ms')` : ''}`,
    );
  // CHT forms often keep a date formatted for people to read ("%e %b, %Y"): FHIR cannot read it.
  const shown = dateFormats(f?.calculate ?? '').find((fmt) => !ISO_FORMAT.test(fmt));
  if (shown !== undefined) report(ctx, where, `'${path}' holds a date formatted for display ('${shown}'): name a field with an ISO date (%Y-%m-%d)`);
}

/** A date field read beside the rule's field (when given): a field, a date, in the same repeat instance. */
export function dateField(ctx: FormContext, path: string | undefined, ruleField: string | undefined, where: string): void {
  if (!path) return;
  notDate(ctx, path, leaf(ctx, path, where), where);
  sameInstance(ctx, path, ruleField, where);
}

/**
 * The format argument of each `format-date(value, format)` and
 * `format-date-time(value, format)` in an XPath: the second argument at the
 * call's own depth, past any nested call or quoted comma in the first.
 */
export function dateFormats(xpath: string): string[] {
  const out: string[] = [];
  const call = /format-date(?:-time)?\s*\(/g;
  for (let m = call.exec(xpath); m; m = call.exec(xpath)) {
    const format = secondArgument(xpath, m.index + m[0].length);
    if (format !== undefined) out.push(format);
  }
  return out;
}

/** The string literal a call's second argument is, reading from just past its `(`. */
function secondArgument(xpath: string, start: number): string | undefined {
  let depth = 0;
  let quote = '';
  for (let i = start; i < xpath.length; i++) {
    const c = xpath[i]!;
    if (quote) {
      if (c === quote) quote = '';
    } else if (c === "'" || c === '"') quote = c;
    else if (c === '(') depth++;
    else if (c === ')') {
      if (depth-- === 0) return undefined;
    } else if (c === ',' && depth === 0) {
      const literal = /^\s*(['"])(.*?)\1/.exec(xpath.slice(i + 1));
      return literal ? literal[2]! : undefined;
    }
  }
  return undefined;
}
