import type { Encounter, Reference, Resource } from 'fhir/r4';
import type { ContactModel, Deployment, FormModel } from './model';
import { chtIdentifier, refTo, resourceId, systems } from './identity';
import { type Doc, dateTime, isObject, text } from './values';
import { MappingError } from './errors';
import { contactResource, practitioner, compact } from './contacts';
import { observationsFor, type ReportContext } from './observations';
import { conditionsFor } from './conditions';
import { questionnaireResponse } from './questionnaire-response';
import { fulfilmentTask, requestRef } from './task';

/**
 * A CHT report -> Encounter, coded Observations and Conditions, and a
 * QuestionnaireResponse with every answer. `doc` is hydrated as CHT hydrates
 * it for outbound push: `contact` (the submitter), `patient` and `place` are
 * full docs when CHT found them.
 */

const HOME_HEALTH = { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'HH', display: 'home health' };

function idOf(x: unknown): string | undefined {
  return isObject(x) ? text(x._id) : undefined;
}

/** A doc CHT hydrated (not just the `{_id, parent}` stub of a minified lineage). */
function isHydrated(x: unknown): x is Doc {
  return isObject(x) && text(x._id) !== undefined && (x.type !== undefined || x.name !== undefined);
}

function subjectOf(d: Deployment, doc: Doc, fields: Doc): Reference | undefined {
  const patientDoc = idOf(doc.patient);
  if (patientDoc) return refTo(d, 'Patient', patientDoc, text((doc.patient as Doc).name));
  const uuid = text(fields.patient_uuid);
  if (uuid) return refTo(d, 'Patient', uuid);
  const shortcode = text(fields.patient_id) ?? text(doc.patient_id);
  if (shortcode) return { identifier: { system: systems(d).patientId, value: shortcode } };
  return undefined;
}

/** Where the visit happened: the patient's household, else the report's place. */
function locationOf(doc: Doc): string | undefined {
  const p = isObject(doc.patient) ? doc.patient : undefined;
  return idOf(p && p.parent) ?? idOf(doc.place) ?? text(isObject(doc.fields) ? doc.fields.place_id : undefined);
}

export function reportResources(d: Deployment, contacts: ContactModel, form: FormModel, doc: Doc): Resource[] {
  const docId = text(doc._id);
  const formId = text(doc.form);
  if (!docId || !formId) throw new MappingError('report has no _id or form');
  const effective = dateTime(doc.reported_date);
  if (!effective) throw new MappingError(`${formId} ${docId}: reported_date is missing or not a date`);
  const fields = isObject(doc.fields) ? doc.fields : {};

  const submitter = idOf(doc.contact);
  const performer = submitter ? [refTo(d, 'Practitioner', submitter, isHydrated(doc.contact) ? text(doc.contact.name) : undefined)] : undefined;
  const subject = subjectOf(d, doc, fields);
  const encounterRef = refTo(d, 'Encounter', docId);
  const where = locationOf(doc);
  const serviceProvider = idOf(isObject(doc.contact) ? doc.contact.parent : undefined);

  const encounter = compact<Encounter>({
    resourceType: 'Encounter',
    id: resourceId(d, 'Encounter', docId),
    identifier: [chtIdentifier(d, docId)],
    status: 'finished',
    class: HOME_HEALTH,
    type: form.type ? [form.type] : undefined,
    subject,
    participant: performer ? [{ individual: performer[0] }] : undefined,
    period: { start: effective, end: effective },
    location: where ? [{ location: refTo(d, 'Location', where) }] : undefined,
    serviceProvider: serviceProvider ? refTo(d, 'Organization', serviceProvider) : undefined,
  });

  const ctx: ReportContext = {
    form: formId,
    docId,
    fields,
    effective,
    subject,
    encounter: encounterRef,
    performer,
    idFor: (kind, part) => resourceId(d, kind, docId, part),
  };
  const request = form.fulfils && requestRef(ctx, form.fulfils);
  if (request) encounter.basedOn = [request];
  const out: Resource[] = [encounter];
  for (const rule of form.observations) out.push(...observationsFor(ctx, rule));
  if (subject) for (const rule of form.conditions) out.push(...conditionsFor(ctx, rule));

  if (request && form.fulfils) out.push(fulfilmentTask(ctx, form.fulfils, request, encounterRef));

  const instance = isObject(fields.meta) ? text(fields.meta.instanceID) : undefined;
  out.push(
    questionnaireResponse(
      compact({
        id: resourceId(d, 'QuestionnaireResponse', docId),
        identifier: { system: instance ? systems(d).formInstance : systems(d).chtId, value: instance ?? docId },
        questionnaire: systems(d).questionnaire + formId,
        encounter: encounterRef,
        subject,
        authored: effective,
        author: performer ? performer[0] : undefined,
      }),
      fields,
      form.fields,
    ),
  );
  // The submitter as a Practitioner, so the participant reference resolves
  // even on servers that enforce referential integrity. Only from a hydrated
  // contact: a bare {_id} would overwrite a fuller record with an empty one.
  if (isHydrated(doc.contact) && contactResource(contacts, doc.contact) !== 'Place') out.push(...practitioner(d, doc.contact));
  return out;
}
