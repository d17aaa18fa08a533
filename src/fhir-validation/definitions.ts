import { indexStructureDefinitionBundle } from '@medplum/core';
import type { StructureDefinition } from 'fhir/r4';
import { buildElementIndex, type ElementIndex } from './element-index';
import { terminologyFrom, type Terminology } from './binding-expansions';
import { buildTrimmed, fullStructures, loadTrimmed, type TrimmedDefinitions } from './trimmed-definitions';

/** Everything the validator needs, built once on first use (never on import). */
export interface Definitions {
  resourceTypes: ReadonlySet<string>;
  elements: ElementIndex;
  terminology: Terminology;
}

let cached: Definitions | undefined;

export function definitions(): Definitions {
  if (!cached) useDefinitions('trimmed');
  return cached!;
}

/**
 * For the test that compares verdicts: (re)indexes either the trimmed
 * definitions (the default) or the full published ones, globally
 * (@medplum/core keeps one schema registry per process).
 */
export function useDefinitions(source: 'trimmed' | 'full'): void {
  const full = source === 'full' ? fullStructures() : undefined;
  const trimmed = full ? buildTrimmed(full) : loadTrimmed();
  cached = index(full ?? trimmed.structures, trimmed.expansions);
}

function index(structures: StructureDefinition[], expansions: TrimmedDefinitions['expansions']): Definitions {
  // @medplum/core has its own (structurally equal) FHIR types.
  indexStructureDefinitionBundle(structures as unknown as Parameters<typeof indexStructureDefinitionBundle>[0]);
  const base = structures.filter((s) => s.derivation !== 'constraint');
  const resourceTypes = new Set(base.filter((s) => s.kind === 'resource' && !s.abstract).map((s) => s.type));
  const elements = buildElementIndex(base);
  return { resourceTypes, elements, terminology: terminologyFrom(expansions) };
}
