import type { FromSchema } from 'json-schema-to-ts';
import type { concept, contactsSchema, formSchema, inboundSchema, ruleBase, settingsSchema, terminologySchema } from './schema';

/**
 * The shapes of the definition files in app_settings/fhir/, derived from
 * their JSON Schemas (schema.ts), which are written once: a new rule option
 * is a schema property, and the compiler sees its type from there.
 */
export type FormDefinition = FromSchema<typeof formSchema>;
export type ContactsDefinition = FromSchema<typeof contactsSchema>;
export type Settings = FromSchema<typeof settingsSchema>;
export type TerminologyDefinition = FromSchema<typeof terminologySchema>;
export type InboundDefinitionFile = FromSchema<typeof inboundSchema>;

export type ConceptRef = FromSchema<typeof concept>;
export type ActorDef = FromSchema<typeof ruleBase.performer>;
export type PlaceDef = FromSchema<typeof ruleBase.location>;
/** What every rule can say, besides its own properties. */
export type RuleDef = FromSchema<{ type: 'object'; additionalProperties: false; properties: typeof ruleBase }>;
/** A coded rule's common part (immunizations and procedures are only that). */
export type CodedRuleDef = NonNullable<FormDefinition['immunizations']>[number];
