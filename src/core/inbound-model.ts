import { compileFhirPath, type Compiled } from './fhirpath';

/**
 * Inbound mapping definitions (app_settings/fhir/inbound/*.json): which FHIR
 * resources become which CHT writes, with FHIRPath expressions picking the
 * values. Config as data, checked at build time.
 */
export type ChtWrite = 'report' | 'person';

export interface FieldRule {
  /** FHIRPath over the incoming resource. */
  path: string;
  /** A missing value refuses the resource (4xx) instead of writing without it. */
  required?: boolean;
}

export interface InboundDefinition {
  /** File name without .json; names the mapping in messages. */
  name: string;
  resource: string;
  /** FHIRPath that must be true for this mapping to take the resource. */
  where?: string;
  write: ChtWrite;
  /** For reports: the JSON form code declared in app_settings forms. */
  form?: string;
  /** FHIRPath to the reference of the patient the report is about (looked up by the identifiers cht-fhir minted). */
  patient?: string;
  /** For people: FHIRPath to the reference of the place they belong to. */
  parent?: string;
  /** For people: the contact type to create (default `person`). */
  contact_type?: string;
  fields: Record<string, FieldRule>;
}

/** An inbound definition with every FHIRPath compiled once. */
export interface InboundMapping {
  def: InboundDefinition;
  where?: Compiled;
  patient?: Compiled;
  parent?: Compiled;
  fields: Record<string, { compiled: Compiled; required: boolean }>;
}

/**
 * Fields the receiver fills itself on every record: the patient, the FHIR
 * resource it came from, its version and its status. CHT's records service
 * keeps only declared fields, so the JSON form must declare each of them.
 */
export const SET_BY_RECEIVER = ['patient_uuid', 'fhir_source', 'fhir_version', 'fhir_status'];

/**
 * Compiles every FHIRPath of a definition; throws FhirPathError naming the
 * JSON path of the first bad one (`/fields/x`). The build runs this first, so
 * a receiver never starts on a definition that does not compile.
 */
export function compileMapping(def: InboundDefinition): InboundMapping {
  const at = (expr: string | undefined, where: string): Compiled | undefined => {
    if (expr === undefined) return undefined;
    try {
      return compileFhirPath(expr);
    } catch (e) {
      (e as Error).message = `${where}: ${(e as Error).message}`;
      throw e;
    }
  };
  const mapping: InboundMapping = { def, where: at(def.where, '/where'), patient: at(def.patient, '/patient'), parent: at(def.parent, '/parent'), fields: {} };
  for (const [k, rule] of Object.entries(def.fields)) mapping.fields[k] = { compiled: at(rule.path, `/fields/${k}`)!, required: rule.required === true };
  return mapping;
}
