import type { Coding } from 'fhir/r4';
import type { ConditionRule, ContactResource, MedicationRule, ObservationValue, Priority, ReferralRule, TaskStatus } from '../../core/model';

/** The shapes of the definition files in app_settings/fhir/ (their JSON Schemas are in schema.ts). */

export type ConceptRef = string | Coding;
export type ActorDef = string | { field: string; as?: 'Practitioner' | 'Patient' | 'Organization'; roles?: Record<string, ConceptRef> };
export type PlaceDef = string | { field: string; answers?: Record<string, 'household' | 'facility'> };
export interface RuleDef {
  field?: string;
  when?: string;
  subject?: string;
  required?: boolean;
  performer?: ActorDef;
  location?: PlaceDef;
}
export interface CodedRuleDef extends RuleDef {
  answers?: Record<string, ConceptRef | ConceptRef[]>;
  code?: ConceptRef;
  text?: boolean;
  date?: string;
  date_text?: string;
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
      device?: { code: ConceptRef; lot?: string; expiry?: string; manufacturer?: string };
      specimen?: { code: ConceptRef; date?: string };
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
  episodes?: Array<{ type: ConceptRef; field?: string; closes?: boolean; when?: string; end?: string | string[] }>;
  newborns?: string;
  immunizations?: CodedRuleDef[];
  procedures?: CodedRuleDef[];
  appointments?: Array<RuleDef & { field: string; code: ConceptRef }>;
  medications?: Array<CodedRuleDef & { kind: MedicationRule['kind']; status?: string; dose?: string; unit?: string; route?: ConceptRef }>;
  referrals?: Array<
    CodedRuleDef & {
      intent?: ReferralRule['intent'];
      priority?: Priority | { field: string; answers: Record<string, Priority> };
      reasons?: Array<{ field: string; answers: Record<string, ConceptRef> }> | 'conditions';
    }
  >;
  location?: PlaceDef;
  /** Fields holding Unix epoch milliseconds: read as date-times. */
  epoch_ms?: string[];
  /** Fields holding a file (base64, or the name of the report's attachment): field -> content type. */
  attachments?: Record<string, string>;
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
