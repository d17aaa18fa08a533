import type { OperationOutcomeIssue } from 'fhir/r4';
import { structureIssue } from './issues';
import { FHIR_ID } from '../core/ids';
import { isCalendarDate } from '../core/values';

/**
 * R4 value rules the schema-level checks let through: the `id` datatype's
 * regex (a resource id of `a/b` or 65 characters), real calendar dates
 * (`2023-02-30` matches the date regex), ele-1 (an element such as
 * `code: {}` must have a value or children) and the narrative rule that
 * `div` holds no active content (txt-1: no `<script>`, no event handlers).
 */
const ID = new RegExp(`^${FHIR_ID}$`);
const DATE = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?(?:T|$)/;
const ACTIVE_CONTENT = /<\s*(script|iframe|object|embed|form|style)\b|\son[a-z]+\s*=|javascript:/i;

export function valueIssue(type: string, value: unknown, expr: string): OperationOutcomeIssue | undefined {
  if (typeof value === 'string') {
    if (type === 'id' && !ID.test(value)) return structureIssue(expr, `"${value.slice(0, 80)}" is not a FHIR id (1-64 of A-Z a-z 0-9 - .)`);
    if (type === 'date' || type === 'dateTime' || type === 'instant') {
      const m = DATE.exec(value);
      if (m && !isCalendarDate(Number(m[1]), m[2] ? Number(m[2]) : 1, m[3] ? Number(m[3]) : 1))
        return structureIssue(expr, `${type} "${value.slice(0, 40)}" is not a calendar date`);
    }
    if (type === 'xhtml' && ACTIVE_CONTENT.test(value))
      return structureIssue(expr, 'The narrative holds active content (script, event handler or similar), which R4 forbids (txt-1)');
    return undefined;
  }
  if (value !== null && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length === 0) {
    return structureIssue(expr, 'An element needs a value or children (ele-1); {} has neither', 'required');
  }
  return undefined;
}
