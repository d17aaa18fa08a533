import { compile } from 'fhirpath';
import r4 from 'fhirpath/fhir-context/r4';

/** Compiled FHIRPath over R4 (the model is needed for choice types such as `value`). */
export type Compiled = (resource: unknown) => unknown[];

export class FhirPathError extends Error {}

export function compileFhirPath(expression: string): Compiled {
  let fn: (resource: unknown) => unknown;
  try {
    fn = compile(expression, r4, { async: false });
  } catch (e) {
    throw new FhirPathError(`invalid FHIRPath '${expression}': ${String((e as Error).message).split('\n')[0]}`);
  }
  return (resource) => {
    const out = fn(resource);
    return Array.isArray(out) ? (out as unknown[]) : [out];
  };
}
