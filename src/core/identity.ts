import type { Identifier, Reference } from 'fhir/r4';
import type { Deployment } from './model';
import { stableId } from './ids';

/**
 * Who is who across systems. Every resource made from a CHT doc carries the
 * doc's `_id` under the deployment's identifier system and gets a FHIR id
 * derived from it, so pushes of the same doc always address the same resource
 * and references can be written before their target has arrived.
 */

export type ResourceKind =
  | 'Patient'
  | 'Practitioner'
  | 'PractitionerRole'
  | 'Organization'
  | 'Location'
  | 'Encounter'
  | 'Observation'
  | 'Condition'
  | 'Immunization'
  | 'Procedure'
  | 'Appointment'
  | 'QuestionnaireResponse'
  | 'Questionnaire'
  | 'Task'
  | 'EpisodeOfCare'
  | 'RelatedPerson'
  | 'CodeSystem'
  | 'StructureDefinition'
  | 'MedicationStatement'
  | 'MedicationAdministration'
  | 'ServiceRequest'
  | 'Device'
  | 'Specimen'
  | 'Bundle';

export function systems(d: Deployment) {
  const base = d.identifierBase.replace(/\/+$/, '');
  /** The deployment's canonical base: its identifier base without `/sid`. */
  const canonical = base.replace(/\/sid$/, '');
  return {
    /** CHT document `_id`. */
    chtId: base + '/cht-uuid',
    /** CHT patient shortcode (`patient_id`) and place shortcode (`place_id`). */
    patientId: base + '/cht-patient-id',
    placeId: base + '/cht-place-id',
    /** Form instance id (`fields.meta.instanceID`). */
    formInstance: base + '/cht-form-instance',
    /** Canonical base of the Questionnaires that describe CHT forms. */
    questionnaire: canonical + '/Questionnaire/',
    /** Canonical base of the CodeSystems published with the Questionnaires (choice lists, contact types). */
    codeSystem: canonical + '/CodeSystem/',
    /** Canonical base of this deployment's StructureDefinitions (the source-version extension). */
    structureDefinition: canonical + '/StructureDefinition/',
    /** The source-version extension (source-version.ts), defined by a StructureDefinition published with the Questionnaires. */
    sourceVersion: canonical + '/StructureDefinition/source-version',
    /** The statement extension of resources several reports write (statement.ts), published the same way. */
    statement: canonical + '/StructureDefinition/statement',
    /** CHT contact type ids (Location.type, Organization.type). */
    contactType: canonical + '/CodeSystem/cht-contact-type',
  };
}

/** The CodeSystem of a form field's choice list: its codes are the choice values. */
export function choiceSystem(d: Deployment, form: string, linkId: string): string {
  return systems(d).codeSystem + form + '.' + linkId;
}

/**
 * A CHT doc made from another system's FHIR resource has the `_id`
 * `fhir.<Type>.<id>`: found again with one GET, and pushed back out under
 * that same FHIR id, so both systems share one resource.
 */
const FROM_FHIR = /^fhir\.([A-Za-z]+)\.([A-Za-z0-9\-.]{1,64})$/;

export function chtIdFromFhir(resourceType: string, id: string): string {
  return `fhir.${resourceType}.${id}`;
}

export function resourceId(d: Deployment, kind: ResourceKind, chtId: string, part?: string): string {
  const source = part ? undefined : FROM_FHIR.exec(chtId);
  if (source && source[1] === kind) return source[2]!;
  return stableId(d.namespace, kind, part ? chtId + '/' + part : chtId);
}

export function chtIdentifier(d: Deployment, chtId: string): Identifier {
  return { system: systems(d).chtId, value: chtId };
}

/**
 * A reference to the resource made from another CHT doc. It may live in
 * another bundle that has not arrived yet: the literal id is stable, and the
 * identifier lets a server or reader resolve it either way.
 */
export function refTo(d: Deployment, kind: ResourceKind, chtId: string, display?: string): Reference {
  const ref: Reference = { reference: kind + '/' + resourceId(d, kind, chtId), identifier: chtIdentifier(d, chtId) };
  if (display) ref.display = display;
  return ref;
}
