import { UUID } from '../../core/ids';

/**
 * JSON Schemas of the mapping definitions in app_settings/fhir/. They are the
 * admin-facing contract: every file is checked against them at build time,
 * and an error names the file, the JSON path and the reason.
 */

export const concept = {
  description: 'A key of app_settings/fhir/terminology.json, or a Coding written out',
  oneOf: [
    { type: 'string', minLength: 1 },
    {
      type: 'object',
      additionalProperties: false,
      required: ['system', 'code'],
      properties: {
        system: { type: 'string', pattern: '^(https?|urn):' },
        code: { type: 'string', pattern: '^[^\\s]+( [^\\s]+)*$' },
        display: { type: 'string' },
      },
    },
  ],
} as const;

const answers = {
  type: 'object',
  minProperties: 1,
  propertyNames: { pattern: '^[^\\s]+$' },
  additionalProperties: concept,
} as const;

const field = { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_\\-]*(\\.[A-Za-z_][A-Za-z0-9_\\-]*)*$' } as const;

/** What every rule can say, besides its own properties. */
export const ruleBase = {
  field,
  when: {
    description: 'Only when this holds, e.g. "delivery_mode = \'cesarean\'", "selected(${danger_signs}, \'fever\') and ${weeks} >= 20"',
    type: 'string',
    minLength: 1,
  },
  subject: { description: "Field holding the _id of the person the fact is about (a db-doc-ref or a contact picker); default: the report's patient", ...field },
  required: { type: 'boolean' },
  performer: {
    description:
      "Who did it: 'submitter'; a field holding a place's _id (an Organization); { field, as } for a person's _id; { field, roles } for an answer naming a role (answer -> concept)",
    oneOf: [
      field,
      {
        type: 'object',
        additionalProperties: false,
        required: ['field'],
        properties: { field, as: { enum: ['Practitioner', 'Patient', 'Organization'] }, roles: answers },
      },
    ],
  },
  location: {
    description:
      "Where: 'household' (the patient's), 'facility' (the submitter's), a field holding a place's _id, or { field, answers: { <answer>: 'household' | 'facility' } }",
    oneOf: [
      field,
      {
        type: 'object',
        additionalProperties: false,
        required: ['field'],
        properties: { field, answers: { type: 'object', minProperties: 1, additionalProperties: { enum: ['household', 'facility'] } } },
      },
    ],
  },
} as const;

const whenText = {
  description: "When the form has no day for it, the time as text (occurrenceString, performedString): 'during this pregnancy'",
  type: 'string',
  minLength: 1,
} as const;

const codedAnswers = {
  type: 'object',
  minProperties: 1,
  propertyNames: { pattern: '^[^\\s]+$' },
  additionalProperties: { oneOf: [concept, { type: 'array', items: concept }] },
} as const;

/** Resources made per coded answer (`field` + `answers`) or, with no field, `code` when `when` holds. */
const codedRule = <const Extra extends Record<string, object>>(extra: Extra) =>
  ({
    type: 'array',
    items: {
      type: 'object',
      additionalProperties: false,
      properties: {
        ...ruleBase,
        answers: codedAnswers,
        code: concept,
        text: { description: "The answer's own words name the concept (code.text): a free-text field", const: true },
        ...extra,
      },
    },
  }) as const;

export const formSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['form'],
  properties: {
    $schema: { type: 'string' },
    form: { type: 'string', pattern: '^[A-Za-z0-9_\\-]+$' },
    fields: {
      description:
        "The form's fields and their types, as `cht-fhir init` listed them: a reference while writing rules; not mapped by itself. Each must still be a field of the form.",
      type: 'object',
      additionalProperties: { type: 'string' },
    },
    encounter_type: concept,
    fulfils: {
      description: 'The report acts on a request from another system: Encounter.basedOn it, and a Task reports back',
      type: 'object',
      additionalProperties: false,
      required: ['field'],
      properties: {
        field,
        status_field: field,
        statuses: { type: 'object', additionalProperties: { enum: ['requested', 'accepted', 'in-progress', 'on-hold', 'completed', 'failed', 'cancelled'] } },
      },
    },
    observations: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['field', 'code'],
        properties: {
          ...ruleBase,
          code: concept,
          value: { enum: ['quantity', 'integer', 'boolean', 'string', 'dateTime', 'coded'] },
          unit: { type: 'string', minLength: 1 },
          category: { enum: ['social-history', 'vital-signs', 'imaging', 'laboratory', 'procedure', 'survey', 'exam', 'therapy', 'activity'] },
          answers,
          yes: { type: 'array', items: { type: 'string' }, minItems: 1 },
          date: { description: 'Field with when it was observed (default: the report time)', ...field },
          device: {
            description: 'The device that gave the result (a rapid test cassette): a Device the Observation references',
            type: 'object',
            additionalProperties: false,
            required: ['code'],
            properties: { code: concept, lot: field, expiry: field, manufacturer: { type: 'string', minLength: 1 } },
          },
          specimen: {
            description: 'The sample tested: a Specimen the Observation references; date: field with when it was collected (default: the observation time)',
            type: 'object',
            additionalProperties: false,
            required: ['code'],
            properties: { code: concept, date: field },
          },
        },
      },
    },
    conditions: codedRule({
      category: { enum: ['encounter-diagnosis', 'problem-list-item'] },
      verification: { enum: ['provisional', 'confirmed', 'differential', 'unconfirmed', 'refuted'] },
      clinical_status: { enum: ['active', 'recurrence', 'relapse', 'inactive', 'remission', 'resolved'] },
      onset: field,
      abatement: field,
      scope: {
        description:
          'patient: one Condition per patient and concept; episode: one per episode of care and concept. Later reports of any form update it, the later in clinical time winning',
        enum: ['report', 'patient', 'episode'],
      },
      episode: { ...concept, description: "With scope 'episode': the type of the form's episode it belongs to (when the form has several)" },
    }),
    newborns: {
      description: "Field holding each newborn's `_id` (a db-doc person, e.g. babies.baby.child_doc): the report's patient is their mother (RelatedPerson MTH)",
      ...field,
    },
    episodes: {
      description: 'Episodes of care the report opens (no field), belongs to (field: the `_id` of the report that opened it) or ends (closes)',
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['type'],
        properties: {
          type: { ...concept, description: 'EpisodeOfCare.type' },
          field: { description: 'Field holding the `_id` of the report that opened the episode; absent: this report opens it', ...field },
          closes: { description: 'This report ends the episode (status finished)', type: 'boolean' },
          when: { description: 'With closes: only when this holds, e.g. "${visit_option} = \'miscarriage\'"', type: 'string', minLength: 1 },
          end: {
            description: 'Field with the date the episode ended, or fields tried in order (default: the report time)',
            oneOf: [field, { type: 'array', items: field, minItems: 1 }],
          },
        },
      },
    },
    immunizations: codedRule({ date: field, date_text: whenText }),
    procedures: codedRule({ date: field, date_text: whenText }),
    medications: codedRule({
      kind: {
        description:
          'statement: what the patient takes or took, as told (MedicationStatement); administration: what the health worker gave at the visit (MedicationAdministration)',
        enum: ['statement', 'administration'],
      },
      status: { enum: ['active', 'completed', 'not-taken', 'intended', 'stopped', 'on-hold', 'unknown', 'not-done', 'in-progress'] },
      date: field,
      dose: { description: 'Field with the amount given (administration)', ...field },
      unit: { description: 'UCUM unit of the dose', type: 'string', minLength: 1 },
      route: concept,
    }),
    referrals: codedRule({
      intent: { enum: ['proposal', 'plan', 'order'] },
      priority: {
        oneOf: [
          { enum: ['routine', 'urgent', 'asap', 'stat'] },
          {
            type: 'object',
            additionalProperties: false,
            required: ['field', 'answers'],
            properties: { field, answers: { type: 'object', minProperties: 1, additionalProperties: { enum: ['routine', 'urgent', 'asap', 'stat'] } } },
          },
        ],
      },
      reasons: {
        description:
          "Fields whose answers are the reasons (reasonCode), or 'conditions': the active diagnoses this report makes about the patient (reasonReference)",
        oneOf: [
          { type: 'array', items: { type: 'object', additionalProperties: false, required: ['field', 'answers'], properties: { field, answers } } },
          { const: 'conditions' },
        ],
      },
      date: { description: 'Field with the date the referral is for (occurrenceDateTime)', ...field },
    }),
    location: {
      ...ruleBase.location,
      description: "Where the visit happened (Encounter.location), when not the patient's household: " + ruleBase.location.description,
    },
    epoch_ms: {
      description: 'Fields holding Unix epoch milliseconds (a rapid test read time): read as date-times',
      type: 'array',
      items: field,
      uniqueItems: true,
    },
    attachments: {
      description: 'Fields holding a file (base64, a data: URL, or the name of the report attachment): field -> content type (image/jpeg)',
      type: 'object',
      propertyNames: field,
      additionalProperties: { type: 'string', pattern: '^[a-z]+/[A-Za-z0-9.+\\-]+$' },
    },
    appointments: {
      type: 'array',
      items: { type: 'object', additionalProperties: false, required: ['field', 'code'], properties: { ...ruleBase, code: concept } },
    },
  },
} as const;

export const contactsSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    $schema: { type: 'string' },
    practitioner_roles: { type: 'array', items: { type: 'string', minLength: 1 } },
    types: { type: 'object', additionalProperties: { enum: ['Patient', 'Practitioner', 'Place', 'none'] } },
  },
} as const;

export const settingsSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['identifier_base', 'id_namespace', 'destination'],
  properties: {
    $schema: { type: 'string' },
    identifier_base: { type: 'string', pattern: '^https?://[^\\s|]+$' },
    id_namespace: { type: 'string', pattern: `^${UUID}$` },
    destination: {
      type: 'object',
      additionalProperties: false,
      required: ['base_url', 'path'],
      properties: {
        base_url: { type: 'string', pattern: '^https?://[^\\s]+$' },
        path: { type: 'string', pattern: '^/[^\\s]*$' },
        auth: {
          type: 'object',
          additionalProperties: false,
          required: ['type'],
          properties: {
            type: { enum: ['basic', 'header'] },
            username: { type: 'string', minLength: 1 },
            password_key: { type: 'string', minLength: 1 },
            name: { const: 'Authorization' },
            value_key: { type: 'string', minLength: 1 },
          },
        },
      },
    },
    cron: { type: 'string' },
    extension_libs: {
      type: 'array',
      items: { enum: ['fhir-build.js', 'fhir-id.js', 'fhir-terminology.js', 'fhirpath.js'] },
      uniqueItems: true,
      description: 'extension libs to build even when no form calls them (e.g. for tasks or another app)',
    },
  },
} as const;

const localized = { type: 'object', additionalProperties: { type: 'string', minLength: 1 } } as const;

export const terminologySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['concepts'],
  properties: {
    $schema: { type: 'string' },
    concepts: {
      type: 'object',
      propertyNames: { pattern: '^[a-z0-9][a-z0-9\\-]*$' },
      additionalProperties: {
        type: 'object',
        additionalProperties: false,
        properties: {
          system: { type: 'string', pattern: '^(https?|urn):' },
          code: { type: 'string', minLength: 1 },
          display: { type: 'string', minLength: 1 },
          text: { type: 'string', minLength: 1 },
          category: { type: 'string' },
          translations: localized,
        },
        anyOf: [{ required: ['system', 'code', 'display'] }, { required: ['text'] }],
      },
    },
    units: {
      type: 'object',
      additionalProperties: {
        type: 'object',
        additionalProperties: false,
        required: ['display'],
        properties: { display: { type: 'string', minLength: 1 }, translations: localized },
      },
    },
  },
} as const;

const fhirPath = { type: 'string', minLength: 1 } as const;
export const inboundSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['resource', 'write', 'fields'],
  properties: {
    $schema: { type: 'string' },
    resource: { type: 'string', pattern: '^[A-Z][A-Za-z]+$' },
    where: fhirPath,
    write: { enum: ['report', 'person'] },
    form: { type: 'string', minLength: 1 },
    patient: fhirPath,
    parent: fhirPath,
    contact_type: { type: 'string', minLength: 1 },
    fields: {
      type: 'object',
      additionalProperties: {
        oneOf: [fhirPath, { type: 'object', additionalProperties: false, required: ['path'], properties: { path: fhirPath, required: { type: 'boolean' } } }],
      },
    },
  },
} as const;

/** The files `npm run build` writes under app_settings/fhir/schema/, for editors to check definitions as they are typed. */
export const schemaFiles: Record<string, object> = {
  'form.schema.json': formSchema,
  'contacts.schema.json': contactsSchema,
  'settings.schema.json': settingsSchema,
  'terminology.schema.json': terminologySchema,
  'inbound.schema.json': inboundSchema,
};

export function schemaFileText(name: string, schema: object): string {
  return JSON.stringify({ $schema: 'http://json-schema.org/draft-07/schema#', $id: name, ...schema }, null, 2) + '\n';
}
