import type { Condition, Encounter, Reference, Resource } from 'fhir/r4';
import type { Deployment, FormModel, MappingModel } from './model';
import { choiceSystem, chtIdentifier, refTo, resourceId, systems } from './identity';
import { type Doc, dateTime, isObject, text } from './values';
import { MappingError } from './mapping-error';
import { contactResource, practitioner, compact } from './contacts';
import { observationsFor } from './observations';
import { conditionsFor } from './conditions';
import { immunizationsFor, proceduresFor } from './clinical-events';
import { appointmentsFor } from './appointments';
import { testResources } from './point-of-care';
import { locationOf } from './actors';
import { medicationsFor } from './medications';
import { referralsFor } from './referrals';
import { episodeResources, episodesOf } from './episodes';
import { newbornLinks } from './newborns';
import { questionnaireResponse } from './questionnaire-response';
import { fulfilmentTask, requestRef } from './task';
import { type ReportContext, rulesOf } from './rules';
import { conceptOf } from './terminology';

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

/** The report's patient: a reference, and the CHT `_id` when known. */
function subjectOf(d: Deployment, doc: Doc, fields: Doc): { ref?: Reference; id?: string } {
  const patientDoc = idOf(doc.patient);
  if (patientDoc) return { ref: refTo(d, 'Patient', patientDoc, text((doc.patient as Doc).name)), id: patientDoc };
  const uuid = text(fields.patient_uuid);
  if (uuid) return { ref: refTo(d, 'Patient', uuid), id: uuid };
  const shortcode = text(fields.patient_id) ?? text(doc.patient_id);
  if (shortcode) return { ref: { identifier: { system: systems(d).patientId, value: shortcode } } };
  return {};
}

/** Where the visit happened: the patient's household, else the report's place. */
function householdOf(doc: Doc): string | undefined {
  const p = isObject(doc.patient) ? doc.patient : undefined;
  return idOf(p && p.parent) ?? idOf(doc.place) ?? text(isObject(doc.fields) ? doc.fields.place_id : undefined);
}

/**
 * The report's resources. Their ids derive from the form instance id
 * (`fields.meta.instanceID`), which the phone knows while the form is open,
 * so an id minted in a form by fhir-id.js is the id of the pushed resource.
 * Reports without one (SMS, API records) key on the doc `_id`.
 */
export function reportResources(model: MappingModel, form: FormModel, doc: Doc): Resource[] {
  const ctx = reportContext(model, form, doc);
  const encounter = encounterOf(ctx, form);
  const request = form.fulfils && requestRef(ctx, form.fulfils);
  if (request) encounter.basedOn = [request];
  const episodes = episodesOf(ctx, form.episodes);
  if (episodes.length && ctx.subject) encounter.episodeOfCare = episodes.map((e) => e.ref);
  const out: Resource[] = [encounter];
  out.push(...episodeResources(ctx, form.episodes, episodes, ctx.facility ? refTo(ctx.d, 'Organization', ctx.facility) : undefined));
  factsOf(ctx, form, episodes, out);
  out.push(...newbornLinks(ctx, form.newborns, isHydrated(doc.patient) ? doc.patient : undefined));
  if (request && form.fulfils) out.push(fulfilmentTask(ctx, form.fulfils, request, ctx.encounter));
  out.push(responseOf(ctx, doc));
  // The submitter as a Practitioner, so the participant reference resolves
  // even on servers that enforce referential integrity. Only from a hydrated
  // contact: a bare {_id} would overwrite a fuller record with an empty one.
  if (isHydrated(doc.contact) && contactResource(model.contacts, doc.contact) !== 'Place') out.push(...practitioner(ctx.d, doc.contact));
  return out;
}

/** A report's context on the server, where its time and Encounter are known. */
type ServerContext = ReportContext & Required<Pick<ReportContext, 'effective' | 'encounter'>>;

/** What every rule of the report reads: who, whom, when, where, and the ids' key. */
function reportContext(model: MappingModel, form: FormModel, doc: Doc): ServerContext {
  const d = model.deployment;
  const docId = text(doc._id);
  const formId = text(doc.form);
  if (!docId || !formId) throw new MappingError('report has no _id or form');
  const effective = dateTime(doc.reported_date);
  if (!effective) throw new MappingError(`${formId} ${docId}: reported_date is missing or not a date`);
  const fields = isObject(doc.fields) ? doc.fields : {};
  const instance = isObject(fields.meta) ? text(fields.meta.instanceID) : undefined;
  const key = instance ?? docId;
  const submitter = idOf(doc.contact);
  const subject = subjectOf(d, doc, fields);
  return {
    d,
    form: formId,
    docId,
    key,
    instance,
    fields,
    shape: form.shape,
    concept: (k) => conceptOf(model, k),
    effective,
    subject: subject.ref,
    subjectId: subject.id,
    encounter: { reference: 'Encounter/' + resourceId(d, 'Encounter', key), identifier: chtIdentifier(d, docId) },
    performer: submitter ? [refTo(d, 'Practitioner', submitter, isHydrated(doc.contact) ? text(doc.contact.name) : undefined)] : undefined,
    household: householdOf(doc),
    facility: idOf(isObject(doc.contact) ? doc.contact.parent : undefined),
  };
}

/** The visit: by whom, for whom, when; at home unless the form says where. */
function encounterOf(ctx: ServerContext, form: FormModel): Encounter {
  const { d, household, performer, effective, facility } = ctx;
  const visitPlace = form.location ? locationOf(ctx, form.location, {}) : household ? refTo(d, 'Location', household) : undefined;
  return compact<Encounter>({
    resourceType: 'Encounter',
    id: resourceId(d, 'Encounter', ctx.key),
    identifier: [chtIdentifier(d, ctx.docId)],
    status: 'finished',
    class: HOME_HEALTH,
    type: form.type ? [ctx.concept(form.type)] : undefined,
    subject: ctx.subject,
    participant: performer ? [{ individual: performer[0] }] : undefined,
    period: { start: effective, end: effective },
    location: visitPlace ? [{ location: visitPlace }] : undefined,
    serviceProvider: facility ? refTo(d, 'Organization', facility) : undefined,
  });
}

/** The facts each rule kind makes, in a fixed order; referrals see the report's Conditions (their reasons). */
function factsOf(ctx: ReportContext, form: FormModel, episodes: ReturnType<typeof episodesOf>, out: Resource[]): void {
  for (const rule of rulesOf(form, 'observations')) out.push(...observationsFor(ctx, rule, (obs, fact) => out.push(...testResources(ctx, rule, obs, fact))));
  for (const rule of rulesOf(form, 'conditions')) out.push(...conditionsFor(ctx, rule, episodes, form.episodes));
  for (const rule of rulesOf(form, 'immunizations')) out.push(...immunizationsFor(ctx, rule));
  for (const rule of rulesOf(form, 'procedures')) out.push(...proceduresFor(ctx, rule));
  for (const rule of rulesOf(form, 'appointments')) out.push(...appointmentsFor(ctx, rule));
  for (const rule of rulesOf(form, 'medications')) out.push(...medicationsFor(ctx, rule));
  const conditions = out.filter((r): r is Condition => r.resourceType === 'Condition');
  for (const rule of rulesOf(form, 'referrals')) out.push(...referralsFor(ctx, rule, conditions));
}

/** Every answer, as a QuestionnaireResponse on the form's Questionnaire. */
function responseOf(ctx: ServerContext, doc: Doc): Resource {
  const { d, form, key, performer } = ctx;
  const ids = systems(d);
  return questionnaireResponse(
    {
      doc: `${form} ${ctx.docId}`,
      choices: (linkId) => choiceSystem(d, form, linkId),
      files: isObject(doc._attachments) ? doc._attachments : undefined,
      form,
    },
    compact({
      id: resourceId(d, 'QuestionnaireResponse', key),
      identifier: { system: ctx.instance ? ids.formInstance : ids.chtId, value: key },
      questionnaire: ids.questionnaire + form,
      encounter: ctx.encounter,
      subject: ctx.subject,
      authored: ctx.effective,
      author: performer ? performer[0] : undefined,
    }),
    ctx.fields,
    ctx.shape,
  );
}
