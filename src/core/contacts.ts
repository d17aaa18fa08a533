import type { ContactPoint, HumanName, Identifier, Location, Organization, Patient, Practitioner, PractitionerRole, Resource } from 'fhir/r4';
import type { ContactModel, ContactResource, Deployment } from './model';
import { chtIdentifier, refTo, resourceId, systems } from './identity';
import { type Doc, date, dateTime, isObject, own, text } from './values';
import { MappingError } from './mapping-error';

/**
 * CHT contacts -> FHIR. People become Patients, or Practitioners (with a
 * PractitionerRole) when they are health workers; places become an
 * Organization (who) and a Location (where), both chained to the parent place.
 */

/** The contact type id of a CHT contact doc (built-in `type` or configurable `contact_type`). */
export function contactType(doc: Doc): string | undefined {
  return doc.type === 'contact' ? text(doc.contact_type) : text(doc.type);
}

export function contactResource(model: ContactModel, doc: Doc): ContactResource | undefined {
  const type = contactType(doc);
  const kind = type === undefined ? undefined : own(model.types, type);
  if (kind === 'Patient' && model.practitionerRoles.indexOf(text(doc.role) ?? '') >= 0) return 'Practitioner';
  return kind;
}

function parentId(doc: Doc): string | undefined {
  return isObject(doc.parent) ? text(doc.parent._id) : undefined;
}

function identifiers(d: Deployment, doc: Doc, shortcodeSystem: string, shortcode: unknown): Identifier[] {
  const ids = [chtIdentifier(d, String(doc._id))];
  const code = text(shortcode);
  if (code) ids.push({ system: shortcodeSystem, value: code });
  // A contact made from another system's resource keeps that system's identifiers (MRN, national id...).
  if (Array.isArray(doc.fhir_identifiers)) {
    for (const i of doc.fhir_identifiers) {
      const system = isObject(i) ? text(i.system) : undefined;
      const value = isObject(i) ? text(i.value) : undefined;
      if (system && value && !ids.some((x) => x.system === system && x.value === value)) ids.push({ system, value });
    }
  }
  return ids;
}

/** FHIR keeps a partial date partial: a year (1987) or year-month as the source gave it. */
function birthDate(x: unknown): string | undefined {
  const t = text(x);
  return date(x) ?? (t && /^\d{4}(-(0[1-9]|1[0-2]))?$/.test(t) ? t : undefined);
}

function names(doc: Doc): HumanName[] | undefined {
  const name = text(doc.name);
  return name ? [{ use: 'official', text: name }] : undefined;
}

function telecom(doc: Doc): ContactPoint[] | undefined {
  const phone = text(doc.phone);
  const alt = text(doc.phone_alternate);
  const list: ContactPoint[] = [];
  if (phone) list.push({ system: 'phone', value: phone, rank: 1 });
  if (alt && alt !== phone) list.push({ system: 'phone', value: alt, rank: 2 });
  return list.length ? list : undefined;
}

function gender(doc: Doc): Patient['gender'] {
  const sex = (text(doc.sex) ?? text(doc.gender) ?? '').toLowerCase();
  if (sex === 'male' || sex === 'female' || sex === 'other') return sex;
  return sex ? 'unknown' : undefined;
}

/** Drops undefined members so payloads are the same however they were built. */
export function compact<T extends object>(o: T): T {
  for (const k of Object.keys(o) as Array<keyof T>) if (o[k] === undefined) delete o[k];
  return o;
}

/** What a Patient and a Practitioner made from one person doc have in common. */
function personFields<T extends 'Patient' | 'Practitioner'>(d: Deployment, doc: Doc, resourceType: T) {
  return {
    resourceType,
    id: resourceId(d, resourceType, String(doc._id)),
    identifier: identifiers(d, doc, systems(d).patientId, doc.patient_id),
    active: doc.muted ? false : true,
    name: names(doc),
    telecom: telecom(doc),
    gender: gender(doc),
    birthDate: birthDate(doc.date_of_birth),
  };
}

export function patient(d: Deployment, doc: Doc): Patient {
  const parent = parentId(doc);
  const died = dateTime(doc.date_of_death);
  return compact<Patient>({
    ...personFields(d, doc, 'Patient'),
    deceasedDateTime: died,
    deceasedBoolean: died ? undefined : doc.date_of_death !== undefined && doc.date_of_death !== '' ? true : undefined,
    managingOrganization: parent ? refTo(d, 'Organization', parent) : undefined,
  });
}

export function practitioner(d: Deployment, doc: Doc): Resource[] {
  const id = String(doc._id);
  const parent = parentId(doc);
  const role = text(doc.role);
  const p = compact<Practitioner>(personFields(d, doc, 'Practitioner'));
  const pr = compact<PractitionerRole>({
    resourceType: 'PractitionerRole',
    id: resourceId(d, 'PractitionerRole', id),
    identifier: [chtIdentifier(d, id)],
    active: p.active,
    practitioner: refTo(d, 'Practitioner', id),
    organization: parent ? refTo(d, 'Organization', parent) : undefined,
    location: parent ? [refTo(d, 'Location', parent)] : undefined,
    code: role ? [{ text: role }] : undefined,
    telecom: p.telecom,
  });
  return [p, pr];
}

export function place(d: Deployment, doc: Doc): Resource[] {
  const id = String(doc._id);
  const parent = parentId(doc);
  const name = text(doc.name);
  const type = contactType(doc);
  const kind = type ? [{ coding: [{ system: systems(d).contactType, code: type }], text: type }] : undefined;
  const org = compact<Organization>({
    resourceType: 'Organization',
    id: resourceId(d, 'Organization', id),
    identifier: identifiers(d, doc, systems(d).placeId, doc.place_id),
    active: true,
    type: kind,
    name,
    telecom: telecom(doc),
    partOf: parent ? refTo(d, 'Organization', parent) : undefined,
  });
  const loc = compact<Location>({
    resourceType: 'Location',
    id: resourceId(d, 'Location', id),
    identifier: [chtIdentifier(d, id)],
    status: 'active',
    name,
    mode: 'instance',
    type: kind,
    managingOrganization: refTo(d, 'Organization', id),
    partOf: parent ? refTo(d, 'Location', parent) : undefined,
    position: position(doc),
  });
  return [org, loc];
}

function position(doc: Doc): Location['position'] {
  const g = isObject(doc.geolocation) ? doc.geolocation : undefined;
  const lat = g && typeof g.latitude === 'number' ? g.latitude : undefined;
  const lon = g && typeof g.longitude === 'number' ? g.longitude : undefined;
  return lat !== undefined && lon !== undefined && Math.abs(lat) <= 90 && Math.abs(lon) <= 180 ? { latitude: lat, longitude: lon } : undefined;
}

/** All resources for one contact doc, or a MappingError naming what is missing. */
export function contactResources(d: Deployment, model: ContactModel, doc: Doc): Resource[] {
  if (!text(doc._id)) throw new MappingError('contact has no _id');
  const kind = contactResource(model, doc);
  if (kind === 'Patient') return [patient(d, doc)];
  if (kind === 'Practitioner') return practitioner(d, doc);
  if (kind === 'Place') return place(d, doc);
  throw new MappingError(`contact ${String(doc._id)}: unknown contact type '${contactType(doc) ?? ''}'`);
}
