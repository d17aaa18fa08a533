import type { Resource } from 'fhir/r4';
import { eachReference } from '../../core/references';

/** `Type/id` targets of every `reference` string in a resource (relative or absolute, history stripped). */
export function referencedKeys(resource: Resource): Set<string> {
  const out = new Set<string>();
  eachReference(resource, (reference) => {
    const m = /(?:^|\/)([A-Z][A-Za-z]*\/[A-Za-z0-9\-.]{1,64})(?:\/_history\/[^/]+)?$/.exec(reference);
    if (m) out.add(m[1]!);
  });
  return out;
}

/**
 * Orders items so that a referenced resource comes before every resource
 * referring to it (Kahn's algorithm, ties kept in input order). References
 * outside the batch are ignored; members of a cycle keep their input order.
 */
export function referencesFirst<T>(items: readonly T[], keyOf: (t: T) => string, resourceOf: (t: T) => Resource): T[] {
  const index = new Map(items.map((t, i) => [keyOf(t), i]));
  const dependents: number[][] = items.map(() => []);
  const waitingOn = items.map(() => 0);
  items.forEach((t, i) => {
    for (const target of referencedKeys(resourceOf(t))) {
      const j = index.get(target);
      if (j === undefined || j === i) continue;
      dependents[j]!.push(i);
      waitingOn[i]!++;
    }
  });
  const done = new Array<boolean>(items.length).fill(false);
  const out: T[] = [];
  // Repeated scans keep ties in input order; batches are small (tens to hundreds).
  let progressed = true;
  while (out.length < items.length) {
    if (!progressed) {
      // A cycle: release the earliest remaining item so the batch still goes out.
      const i = done.indexOf(false);
      waitingOn[i] = 0;
    }
    progressed = false;
    for (const [i, item] of items.entries()) {
      if (done[i] || waitingOn[i]! > 0) continue;
      done[i] = true;
      out.push(item);
      for (const d of dependents[i]!) waitingOn[d]!--;
      progressed = true;
      break;
    }
  }
  return out;
}
