import type { Bundle, Resource } from 'fhir/r4';
import { unpack } from './records';
import type { ResourceValidator, ValidationIssue } from './validate';

/** What `enqueue` was given, checked: the resources to store, their serialisations, and every issue found. */
export interface Intake {
  resources: Resource[];
  json: string[];
  issues: ValidationIssue[];
}

/**
 * Unpacks and checks the inputs of one `enqueue`/`enqueueMany` call: the
 * structural checks, then the caller's validator on sound resources.
 * `prefix` names the input in issue paths (`[i].` is replaced by its index).
 */
export function intake(inputs: readonly (Resource | Bundle)[], prefix: string, opts: { maxResourceChars?: number; validate?: ResourceValidator }): Intake {
  const out: Intake = { resources: [], json: [], issues: [] };
  inputs.forEach((input, n) => {
    const found = unpack(input, opts.maxResourceChars);
    if (!found.issues.length && opts.validate) {
      const many = found.resources.length > 1;
      found.resources.forEach((r, i) => found.issues.push(...prefixed(opts.validate!(r), many ? `Bundle.entry[${i}].resource.` : '')));
    }
    out.issues.push(...prefixed(found.issues, prefix.replace('i', String(n))));
    out.resources.push(...found.resources);
    out.json.push(...found.json);
  });
  return out;
}

function prefixed(issues: readonly ValidationIssue[] | undefined | void, prefix: string): ValidationIssue[] {
  return (issues ?? []).map((i) => ({ path: prefix + i.path, message: i.message }));
}
