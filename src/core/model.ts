import type { CodeableConcept, Coding } from 'fhir/r4';

/**
 * The compiled mapping model: what the build derives from app settings
 * (contact_types), forms/ (XForm binds) and app_settings/fhir/*.json, and what
 * the mapping core reads. It travels inside outbound exprs and extension libs,
 * so it is plain JSON and kept small.
 */

export interface Deployment {
  /** Base of every identifier system, e.g. https://moh.example.org/fhir/sid */
  identifierBase: string;
  /** UUID v5 namespace of this deployment's resource ids. */
  namespace: string;
}

export type ContactResource = 'Patient' | 'Practitioner' | 'Place';

export interface ContactModel {
  /** Contact type id -> what it becomes. Built-in and configurable types alike. */
  types: Record<string, ContactResource>;
  /** A person whose `role` is one of these becomes a Practitioner. */
  practitionerRoles: string[];
}

/** XForm bind types, as far as FHIR answers care. */
export type FieldType = 'string' | 'int' | 'decimal' | 'date' | 'dateTime' | 'boolean' | 'select1' | 'select';

export type ObservationValue = 'quantity' | 'integer' | 'boolean' | 'string' | 'dateTime' | 'coded';

export interface ObservationRule {
  /** CHT field path under doc.fields, dotted: `vitals.weight`. */
  field: string;
  code: CodeableConcept;
  value: ObservationValue;
  /** UCUM unit for quantities. */
  unit?: Coding;
  category?: string;
  /** Select answer -> concept, for coded values (multi-selects give one Observation per answer). */
  answers?: Record<string, CodeableConcept>;
  /** Answers meaning true, for booleans. */
  yes?: string[];
  required?: boolean;
}

export interface ConditionRule {
  field: string;
  /** Answer (of a select, or `yes`/`true` of a boolean) -> the diagnosis or danger sign it means. */
  answers: Record<string, CodeableConcept>;
  category: 'encounter-diagnosis' | 'problem-list-item';
  verification: 'provisional' | 'confirmed' | 'differential' | 'unconfirmed';
}

/** Task.status values a follow-up answer can set. */
export type TaskStatus = 'requested' | 'accepted' | 'in-progress' | 'on-hold' | 'completed' | 'failed' | 'cancelled';

/**
 * The report acts on a request that came from another system (a referral
 * ServiceRequest): the Encounter is `basedOn` it and a Task reports back.
 */
export interface FulfilsRule {
  /** Field holding the request's reference, `ServiceRequest/<id>`. */
  field: string;
  /** Field whose answer sets Task.status; answers not listed give `completed`. */
  statusField?: string;
  statuses?: Record<string, TaskStatus>;
}

export interface FormModel {
  /** Encounter.type */
  type?: CodeableConcept;
  fulfils?: FulfilsRule;
  observations: ObservationRule[];
  conditions: ConditionRule[];
  /** Field path -> XForm type, for typed QuestionnaireResponse answers. */
  fields: Record<string, FieldType>;
}

export interface MappingModel {
  deployment: Deployment;
  contacts: ContactModel;
  forms: Record<string, FormModel>;
}
