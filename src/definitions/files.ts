import type { Coding } from 'fhir/r4';
import type { ConditionRule, ContactResource, ObservationValue, TaskStatus } from '../core/model';

/** The shapes of the definition files in app_settings/fhir/ (their JSON Schemas are in schema.ts). */

export type ConceptRef = string | Coding;
export interface RuleDef {
  field?: string;
  when?: string;
  subject?: string;
  required?: boolean;
}
export interface CodedRuleDef extends RuleDef {
  answers?: Record<string, ConceptRef | ConceptRef[]>;
  code?: ConceptRef;
  date?: string;
}
export interface FormDefinition {
  form: string;
  fields?: Record<string, string>;
  encounter_type?: ConceptRef;
  fulfils?: { field: string; status_field?: string; statuses?: Record<string, TaskStatus> };
  observations?: Array<
    RuleDef & {
      field: string;
      code: ConceptRef;
      value?: ObservationValue;
      unit?: string;
      category?: string;
      answers?: Record<string, ConceptRef>;
      yes?: string[];
      date?: string;
    }
  >;
  conditions?: Array<
    CodedRuleDef & {
      category?: ConditionRule['category'];
      verification?: ConditionRule['verification'];
      clinical_status?: ConditionRule['clinical'];
      onset?: string;
      abatement?: string;
      scope?: 'report' | 'patient' | 'episode';
      episode?: ConceptRef;
    }
  >;
  episodes?: Array<{ type: ConceptRef; field?: string; closes?: boolean; end?: string }>;
  newborns?: string;
  immunizations?: CodedRuleDef[];
  procedures?: CodedRuleDef[];
  appointments?: Array<RuleDef & { field: string; code: ConceptRef }>;
}
export interface Settings {
  identifier_base: string;
  id_namespace: string;
  destination: { base_url: string; path: string; auth?: Record<string, string> };
  cron?: string;
  extension_libs?: string[];
}
export interface ContactsDefinition {
  practitioner_roles?: string[];
  types?: Record<string, ContactResource | 'none'>;
}
