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
