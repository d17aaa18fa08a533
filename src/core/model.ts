/**
 * The compiled mapping model: what the build derives from app settings
 * (contact_types), forms/ (XForms) and app_settings/fhir/*.json, and what the
 * mapping core reads. It travels inside the outbound expr (replicated to every
 * phone with the app settings), so it is plain JSON and kept small: concepts
 * are stored once and named by key, and a form's field types are one nested
 * object that mirrors the report's `fields`.
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

/**
 * Field types of a form, shaped like `doc.fields`: a leaf is a type code
 * (SHAPE_CODES), a group an object, a repeat a one-element array holding its
 * instances' shape. Strings are left out.
 */
export type Shape = { [name: string]: string | Shape | [Shape] };
export const SHAPE_CODES: Record<Exclude<FieldType, 'string'>, string> = {
  int: 'i',
  decimal: 'd',
  date: 'D',
  dateTime: 'T',
  boolean: 'b',
  select1: '1',
  select: 'n',
};
/**
 * Two more leaf codes the definition (not the bind) gives: `E` a field that
 * holds Unix epoch milliseconds (read as a dateTime), and a content type
 * (`image/jpeg`) for a field that holds a file (an Attachment).
 */
export const EPOCH_MS = 'E';

/**
 * A condition on a report's answers (`when`), compiled from an XPath-like
 * text: `['and', a, b]`, `['or', a, b]`, `['not', a]`, `['sel', field, value]`
 * (selected()), `[op, left, right]` with op one of = != < <= > >=, and
 * operands a field (`['.', path]`), a string or a number.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface When extends Array<When | string | number> {}

/** What every rule can say. */
export interface RuleBase {
  /** Field path under doc.fields, dotted. Under a repeat, the rule applies to each instance. */
  field?: string;
  /** Only when this holds (evaluated in the same repeat instance). */
  when?: When;
  /** Field holding the `_id` of the person the fact is about (default: the report's patient). */
  subject?: string;
  required?: boolean;
  /** Set by the build when an earlier rule of the same resource type makes the same ids: keeps this rule's ids apart. */
  key?: string;
  /** Who did it (default: the submitter, where the resource says who). */
  performer?: Actor;
  /** Where it happened, for resources that say where. */
  location?: Place;
}

/**
 * Who: `submitter` (the health worker who filled the form); a field holding
 * a contact's `_id` (a picker or db-doc-ref) and what that contact is in
 * FHIR; or a field whose answer names a role (answer -> concept key), for
 * who the form knows only by kind ("skilled birth attendant").
 */
export type Actor = 'submitter' | { field: string; as: 'Practitioner' | 'Patient' | 'Organization' } | { field: string; roles: Record<string, string> };

/**
 * Where: the patient's `household`; the submitter's `facility` (the place
 * the health worker belongs to); a field holding a place's `_id`; or a
 * field whose answers say which of the two (`{ home: 'household' }`).
 */
export type Place = 'household' | 'facility' | { field: string; answers?: Record<string, 'household' | 'facility'> };

export type ObservationValue = 'quantity' | 'integer' | 'boolean' | 'string' | 'dateTime' | 'coded';

export interface ObservationRule extends RuleBase {
  field: string;
  /** Concept key (MappingModel.concepts). */
  code: string;
  /** Default: what the field's type gives (observations.ts `defaultValue`), left out of the model when it is that. */
  value?: ObservationValue;
  /** UCUM code and display, for quantities. */
  unit?: [string, string];
  category?: string;
  /** Select answer -> concept key (multi-selects give one Observation per answer). */
  answers?: Record<string, string>;
  /** Answers meaning true, for booleans. */
  yes?: string[];
  /** Field with when it was observed (default: the report's time). */
  date?: string;
  /** The device that gave the result (a rapid test cassette): its type, lot and expiry fields. */
  device?: { code: string; lot?: string; expiry?: string; maker?: string };
  /** What was tested: specimen type, and the field with when it was collected (default: the observation's time). */
  specimen?: { code: string; date?: string };
}

/**
 * A rule that makes one resource per coded answer: `answers` maps a choice
 * (or `yes`) to one or more concept keys; or, with no field, `code` is made
 * whenever `when` holds.
 */
export interface CodedRule extends RuleBase {
  answers?: Record<string, string | string[]>;
  code?: string;
  /** The answer's own words are the concept (`code.text`): a free-text field names it. */
  text?: true;
  /** Field with the date it happened (default: the report's time). */
  date?: string;
  /** When the form has no day for it: the time as text ("during this pregnancy"), for occurrenceString / performedString. */
  dateText?: string;
}

/**
 * A medicine the report records. `statement`: what the patient takes or
 * took, as she told the health worker (MedicationStatement); `administration`:
 * what the health worker gave at the visit (MedicationAdministration).
 */
export interface MedicationRule extends CodedRule {
  /** Default `statement` in the model (the definition must say which). */
  kind?: 'statement' | 'administration';
  /** MedicationStatement.status or MedicationAdministration.status; default active / completed. */
  status?: string;
  /** Field with the amount given, and its UCUM unit [code, display]. */
  dose?: string;
  unit?: [string, string];
  /** Concept key of the route (oral). */
  route?: string;
}

export type Priority = 'routine' | 'urgent' | 'asap' | 'stat';

/**
 * A referral: a ServiceRequest from the health worker (requester) to a
 * facility (performer, default the submitter's facility), made per mapped
 * answer or, with `code` alone, when `when` holds.
 */
export interface ReferralRule extends CodedRule {
  /** Default `order`. */
  intent?: 'proposal' | 'plan' | 'order';
  /** A fixed priority, or a field whose answers set it. */
  priority?: Priority | { field: string; answers: Record<string, Priority> };
  /**
   * Fields whose answers are the reasons (answer -> concept key, reasonCode);
   * or `conditions`: the active diagnoses this report makes about the same
   * patient (the danger signs it found), as reasonReference.
   */
  reasons?: Array<{ field: string; answers: Record<string, string> }> | 'conditions';
}

export interface ConditionRule extends CodedRule {
  /** Default `encounter-diagnosis` (left out of the model, which phones download). */
  category?: 'encounter-diagnosis' | 'problem-list-item';
  /** Default `provisional`. */
  verification?: 'provisional' | 'confirmed' | 'differential' | 'unconfirmed' | 'refuted';
  /** Condition.clinicalStatus; default `active`. */
  clinical?: 'active' | 'recurrence' | 'relapse' | 'inactive' | 'remission' | 'resolved';
  /** Fields with the onset and abatement dates. */
  onset?: string;
  abatement?: string;
  /**
   * `patient`: one Condition per patient and concept; `episode`: one per
   * episode of care and concept (a second pregnancy gets its own). Either
   * way later reports update it by clinical time (statement.ts).
   */
  scope?: 'patient' | 'episode';
  /** With scope `episode`: the episode's type (a concept key of the form's `episodes`); default: episodes.ts `defaultEpisode`. */
  episode?: string;
}

/**
 * The report opens an episode of care, belongs to one, or ends one. An
 * episode is named by the `_id` of the report that opened it: the one
 * thing a follow-up form knows of it (CHT tasks pass it in).
 */
export interface EpisodeRule {
  /** Concept key: EpisodeOfCare.type. */
  type: string;
  /** Field holding the `_id` of the report that opened it; absent: this report opens it. */
  field?: string;
  /** This report ends it: status finished, period.end its time (or `end`). */
  closes?: boolean;
  /** With `closes`: only when this holds (a home visit ends the pregnancy only when it reports a miscarriage). */
  when?: When;
  /** Field with the date it ended. */
  end?: string | string[];
}

export interface AppointmentRule extends RuleBase {
  /** Field with the planned date. */
  field: string;
  /** Concept key of the service planned (Appointment.serviceType). */
  code: string;
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

/** The lists of rules a form has, one per kind of resource. */
export type RuleList = 'observations' | 'conditions' | 'immunizations' | 'procedures' | 'appointments' | 'medications' | 'referrals';

export interface FormModel {
  /** Encounter.type, a concept key. */
  type?: string;
  /**
   * Per rule list, properties most of its rules share, written once
   * (definitions/hoist.ts); a rule's own value wins, and `0` in a rule
   * means it has none (rules.ts `rulesOf`).
   */
  defaults?: Partial<Record<RuleList, Record<string, unknown>>>;
  fulfils?: FulfilsRule;
  observations?: ObservationRule[];
  conditions?: ConditionRule[];
  immunizations?: CodedRule[];
  procedures?: CodedRule[];
  appointments?: AppointmentRule[];
  medications?: MedicationRule[];
  referrals?: ReferralRule[];
  episodes?: EpisodeRule[];
  /** Field holding each newborn's `_id` (a db-doc person): the report's patient is their mother. */
  newborns?: string;
  /** Where the visit happened (Encounter.location), when not the patient's household. */
  location?: Place;
  shape: Shape;
}

export type CompactConcept = string | [number, string, string?];

export interface MappingModel {
  deployment: Deployment;
  contacts: ContactModel;
  /** Code systems the concepts use, named by index. */
  systems: string[];
  /** Every concept the forms name, once: text only, or [system index, code, display?]. */
  concepts: Record<string, CompactConcept>;
  forms: Record<string, FormModel>;
}
