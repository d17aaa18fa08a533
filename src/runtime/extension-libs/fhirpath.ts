import { compile } from 'fhirpath/src/fhirpath.js';
import { extensionLib, type Arg, type LibResult } from './support/calling-convention';
import { BoundedCache } from './support/bounded-cache';
import { r4Model } from './support/r4-model';
// The build swaps @lhncbc/ucum-lhc for this shim (src/compiler/fhirpath-lib.ts);
// importing its type keeps the file in the compiled program.
import type {} from './support/ucum-shim';

/**
 * FHIRPath (fhirpath.js, R4 model) over a JSON field:
 *   cht:extension-lib('fhirpath.js', 'Observation.value.value', /data/fhir/weight_observation)      -> 62.5
 *   cht:extension-lib('fhirpath.js', 'Patient.name.given', /data/fhir/patient, 'all')              -> 'Ana Maria'
 * The first result (string, number or boolean); with 'all', every such result
 * joined by spaces, like a multi-select. Empty input, malformed JSON, an
 * invalid expression or a result that is not a primitive give ''.
 * JS callers may pass the resource as an object.
 */
type Evaluator = (resource: unknown) => unknown[];
const INVALID: Evaluator = () => [];

// Compiled once per expression (5-8x faster than evaluate each call); an
// invalid expression is remembered too, so it is not re-parsed on every recalculation.
const compiled = new BoundedCache<Evaluator>(64);
const evaluator = (expression: string): Evaluator =>
  compiled.get(expression, (e) => {
    try {
      // trace() would write to the console on every recalculation.
      const fn = compile(e, r4Model(), { async: false, traceFn: () => undefined });
      return (resource) => fn(resource) as unknown[];
    } catch {
      return INVALID;
    }
  });

function resourceOf(data: Arg): unknown {
  const raw = data.raw;
  if (raw !== null && typeof raw === 'object' && !(raw instanceof Date)) return JSON.parse(JSON.stringify(raw)); // fhirpath may annotate its input: never touch the caller's object
  const text = data.text();
  return text ? JSON.parse(text) : undefined;
}

const primitive = (x: unknown): x is LibResult => typeof x === 'string' || typeof x === 'boolean' || (typeof x === 'number' && isFinite(x));

export default extensionLib((expression, data, mode) => {
  const expr = expression.text();
  if (!expr) return '';
  let resource: unknown;
  try {
    resource = resourceOf(data);
  } catch {
    return ''; // malformed JSON
  }
  if (resource === undefined || resource === null || typeof resource !== 'object') return '';
  const results = evaluator(expr)(resource);
  if (mode.text() === 'all') return results.filter(primitive).map(String).join(' ');
  const first = results[0];
  return primitive(first) ? first : '';
});
