import type { ElementDefinition, StructureDefinition } from 'fhir/r4';

/**
 * Element definitions of the base R4 types and resources, by path, trimmed to
 * what the required-binding walk needs. Choice elements (`value[x]`) are kept
 * under their `[x]` path and found from a concrete key (`valueCodeableConcept`).
 */
export interface ElementInfo {
  /** Path of the definition (e.g. `Observation.value[x]`). */
  path: string;
  types: string[];
  /** Canonical URL (no version) of a required binding's value set. */
  requiredValueSet?: string;
  /** Where the children of this element are defined (backbone or contentReference), if not by its type. */
  childPath?: string;
}

export interface ElementIndex {
  /** Resolves `key` of an object whose definition is at `parentPath`; returns the element and the concrete type. */
  child(parentPath: string, key: string): { element: ElementInfo; type: string } | undefined;
  /** True when `name` is a type whose definition has elements (complex type or resource). */
  isComplex(name: string): boolean;
  requiredValueSets(): Set<string>;
}

const ABSTRACT_RESOURCE = new Set(['Resource', 'DomainResource']);

export function buildElementIndex(structures: StructureDefinition[]): ElementIndex {
  const byPath = new Map<string, ElementInfo>();
  const choices = new Map<string, ElementInfo[]>();
  const complex = new Set<string>();
  const valueSets = new Set<string>();

  for (const sd of structures) {
    if (sd.kind === 'primitive-type' || sd.kind === 'logical') continue;
    const elements = sd.snapshot?.element ?? [];
    if (elements.length > 1) complex.add(sd.type);
    const parents = new Set(elements.map((e) => parentOf(e.path)));
    for (const e of elements) {
      if (!e.path.includes('.')) continue;
      const info = toInfo(e, parents.has(e.path));
      if (info.requiredValueSet) valueSets.add(info.requiredValueSet);
      if (e.path.endsWith('[x]')) {
        const parent = parentOf(e.path);
        choices.set(parent, [...(choices.get(parent) ?? []), info]);
      } else {
        byPath.set(e.path, info);
      }
    }
  }

  return {
    child(parentPath, key) {
      const element = byPath.get(parentPath + '.' + key);
      if (element) return { element, type: element.types.length === 1 ? element.types[0]! : '' };
      for (const choice of choices.get(parentPath) ?? []) {
        const prefix = choice.path.slice(parentPath.length + 1, -3);
        if (!key.startsWith(prefix)) continue;
        const suffix = key.slice(prefix.length);
        const type = choice.types.find((t) => t.toLowerCase() === suffix.toLowerCase());
        if (type) return { element: choice, type };
      }
      return undefined;
    },
    isComplex: (name) => complex.has(name) || ABSTRACT_RESOURCE.has(name),
    requiredValueSets: () => valueSets,
  };
}

function toInfo(e: ElementDefinition, hasChildren: boolean): ElementInfo {
  const info: ElementInfo = { path: e.path, types: (e.type ?? []).map((t) => t.code) };
  if (e.binding?.strength === 'required' && e.binding.valueSet) info.requiredValueSet = e.binding.valueSet.split('|')[0];
  if (hasChildren) info.childPath = e.path;
  else if (e.contentReference) info.childPath = e.contentReference.replace(/^#/, '');
  return info;
}

function parentOf(path: string): string {
  return path.slice(0, path.lastIndexOf('.'));
}
