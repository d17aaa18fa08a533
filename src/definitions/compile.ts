import fs from 'node:fs';
import path from 'node:path';
import type { CodeableConcept, Coding } from 'fhir/r4';
import * as ucum from '@lhncbc/ucum-lhc';
import type { ConditionRule, ContactModel, ContactResource, FieldType, FormModel, MappingModel, ObservationRule, ObservationValue, TaskStatus } from '../core/model';
import { contactsSchema, formSchema, settingsSchema, terminologySchema } from './schema';
import { DefinitionError, readJson } from './load';
import { parseXForm, type XFormInfo } from './xform';
import { codeableConcept, type Terminology } from '../core/terminology';

/**
 * app_settings + forms/ + app_settings/fhir/*.json -> the MappingModel the
 * core runs on, plus the outbound settings. Everything an admin can get wrong
 * is caught here, at build time, with the file and path.
 */

type ConceptRef = string | Coding;
export interface FormDefinition {
  form: string;
  encounter_type?: ConceptRef;
  fulfils?: { field: string; status_field?: string; statuses?: Record<string, TaskStatus> };
  observations?: Array<{ field: string; code: ConceptRef; value?: ObservationValue; unit?: string; category?: string; answers?: Record<string, ConceptRef>; yes?: string[]; required?: boolean }>;
  conditions?: Array<{ field: string; answers: Record<string, ConceptRef>; category?: ConditionRule['category']; verification?: ConditionRule['verification'] }>;
}
export interface Settings {
  identifier_base: string;
  id_namespace: string;
  destination: { base_url: string; path: string; auth?: Record<string, string> };
  cron?: string;
}
interface ContactsDefinition {
  practitioner_roles?: string[];
  types?: Record<string, ContactResource | 'none'>;
}
export interface Compiled {
  model: MappingModel;
  settings: Settings;
  terminology: Terminology;
  /** Files read, relative to the project root (for messages and staleness checks). */
  files: string[];
  /** The XForms of the mapped forms, as read. */
  xforms: Record<string, XFormInfo>;
}

export const DEFAULT_PRACTITIONER_ROLES = ['chw', 'chw_supervisor', 'nurse', 'health_worker', 'manager'];
const BUILT_IN_TYPES: Record<string, ContactResource> = { person: 'Patient', clinic: 'Place', health_center: 'Place', district_hospital: 'Place' };
/** Only types that change how an answer is written; everything else is a string. */
const TYPED: FieldType[] = ['int', 'decimal', 'date', 'dateTime', 'boolean'];

const ucumUtils = () => ucum.UcumLhcUtils.getInstance();

export function compileDefinitions(root: string): Compiled {
  const problems: string[] = [];
  const fhirDir = path.join(root, 'app_settings/fhir');
  const files: string[] = [];
  const read = <T>(file: string, schema: object) => {
    files.push(path.relative(root, file));
    return readJson<T>(file, root, schema, problems);
  };

  const settings = read<Settings>(path.join(fhirDir, 'settings.json'), settingsSchema);
  const terminology = read<Terminology>(path.join(fhirDir, 'terminology.json'), terminologySchema) ?? { concepts: {} };
  const contactsFile = path.join(fhirDir, 'contacts.json');
  const contactsDef = fs.existsSync(contactsFile) ? read<ContactsDefinition>(contactsFile, contactsSchema) : {};
  const base = read<{ contact_types?: Array<{ id: string; person?: boolean }> }>(path.join(root, 'app_settings/base_settings.json'), { type: 'object' });

  for (const [unit] of Object.entries(terminology.units ?? {})) {
    if (ucumUtils().validateUnitString(unit).status !== 'valid') problems.push(`app_settings/fhir/terminology.json: /units/${unit}: not a valid UCUM unit`);
  }

  const contacts = compileContacts(base?.contact_types, contactsDef ?? {}, problems);

  const forms: Record<string, FormModel> = {};
  const xforms: Record<string, XFormInfo> = {};
  const formDir = path.join(fhirDir, 'forms');
  const defFiles = fs.existsSync(formDir) ? fs.readdirSync(formDir).filter((f) => f.endsWith('.json')).sort() : [];
  for (const f of defFiles) {
    const file = path.join(formDir, f);
    const def = read<FormDefinition>(file, formSchema);
    if (!def) continue;
    const rel = path.relative(root, file);
    if (path.basename(f, '.json') !== def.form) problems.push(`${rel}: /form: '${def.form}' does not match the file name`);
    const xformFile = path.join(root, 'forms/app', def.form + '.xml');
    let xform: XFormInfo | undefined;
    if (!fs.existsSync(xformFile)) problems.push(`${rel}: /form: no XForm forms/app/${def.form}.xml`);
    else {
      try {
        xform = parseXForm(fs.readFileSync(xformFile, 'utf8'), path.relative(root, xformFile));
        files.push(path.relative(root, xformFile));
      } catch (e) {
        problems.push((e as Error).message);
      }
    }
    if (xform) {
      forms[def.form] = compileForm(def, xform, terminology, rel, problems);
      xforms[def.form] = xform;
    }
  }

  if (problems.length || !settings) throw new DefinitionError(problems.length ? problems : ['app_settings/fhir/settings.json: missing']);
  return {
    model: { deployment: { identifierBase: settings.identifier_base, namespace: settings.id_namespace.toLowerCase() }, contacts, forms },
    settings,
    terminology,
    files,
    xforms,
  };
}

function compileContacts(declared: Array<{ id: string; person?: boolean }> | undefined, def: ContactsDefinition, problems: string[]): ContactModel {
  const types: Record<string, ContactResource> = {};
  if (declared && declared.length) for (const t of declared) types[t.id] = t.person ? 'Patient' : 'Place';
  else Object.assign(types, BUILT_IN_TYPES);
  for (const [id, kind] of Object.entries(def.types ?? {})) {
    if (!(id in types)) problems.push(`app_settings/fhir/contacts.json: /types/${id}: not a contact type in app_settings contact_types`);
    else if (kind === 'none') delete types[id];
    else if ((kind === 'Place') !== (types[id] === 'Place')) problems.push(`app_settings/fhir/contacts.json: /types/${id}: a ${types[id] === 'Place' ? 'place' : 'person'} type cannot become ${kind}`);
    else types[id] = kind;
  }
  return { types, practitionerRoles: def.practitioner_roles ?? DEFAULT_PRACTITIONER_ROLES };
}

function compileForm(def: FormDefinition, xform: XFormInfo, terms: Terminology, rel: string, problems: string[]): FormModel {
  const concept = (ref: ConceptRef, where: string): CodeableConcept => {
    if (typeof ref !== 'string') return { coding: [ref], text: ref.display };
    const c = terms.concepts[ref];
    if (!c) {
      problems.push(`${rel}: ${where}: '${ref}' is not a concept in app_settings/fhir/terminology.json`);
      return { text: ref };
    }
    return codeableConcept(c);
  };
  const checkField = (field: string, where: string) => {
    if (!xform.fields[field]) problems.push(`${rel}: ${where}/field: '${field}' is not a field of forms/app/${def.form}.xml`);
  };
  const checkAnswers = (field: string, answers: Record<string, ConceptRef>, where: string) => {
    const known = xform.choices[field];
    if (!known) return;
    for (const a of Object.keys(answers)) if (known.indexOf(a) < 0 && a !== 'yes') problems.push(`${rel}: ${where}/answers/${a}: not a choice of '${field}' (choices: ${known.join(', ')})`);
  };
  const answerMap = (answers: Record<string, ConceptRef>, where: string) => {
    const out: Record<string, CodeableConcept> = {};
    for (const [k, v] of Object.entries(answers)) out[k] = concept(v, `${where}/answers/${k}`);
    return out;
  };

  const observations: ObservationRule[] = (def.observations ?? []).map((o, i) => {
    const where = `/observations/${i}`;
    checkField(o.field, where);
    const fieldType = xform.fields[o.field];
    const value: ObservationValue =
      o.value ?? (o.answers ? 'coded' : o.unit ? 'quantity' : fieldType === 'int' ? 'integer' : fieldType === 'decimal' ? 'quantity' : fieldType === 'date' || fieldType === 'dateTime' ? 'dateTime' : fieldType === 'boolean' ? 'boolean' : fieldType === 'select1' || fieldType === 'select' ? 'coded' : 'string');
    if (value === 'coded' && !o.answers) problems.push(`${rel}: ${where}: a coded value needs 'answers' (choice -> concept)`);
    if (o.answers) checkAnswers(o.field, o.answers, where);
    const rule: ObservationRule = { field: o.field, code: concept(o.code, `${where}/code`), value };
    if (o.unit) {
      if (value !== 'quantity') problems.push(`${rel}: ${where}/unit: only quantities have units`);
      else if (ucumUtils().validateUnitString(o.unit).status !== 'valid') problems.push(`${rel}: ${where}/unit: '${o.unit}' is not a valid UCUM unit`);
      rule.unit = { code: o.unit, display: terms.units?.[o.unit]?.display ?? o.unit };
    }
    const category = o.category ?? (typeof o.code === 'string' ? terms.concepts[o.code]?.category : undefined);
    if (category) rule.category = category;
    if (o.answers) rule.answers = answerMap(o.answers, where);
    if (o.yes) rule.yes = o.yes.map((y) => y.toLowerCase());
    if (o.required) rule.required = true;
    return rule;
  });

  const conditions: ConditionRule[] = (def.conditions ?? []).map((c, i) => {
    const where = `/conditions/${i}`;
    checkField(c.field, where);
    checkAnswers(c.field, c.answers, where);
    return { field: c.field, answers: answerMap(c.answers, where), category: c.category ?? 'encounter-diagnosis', verification: c.verification ?? 'provisional' };
  });

  if (!xform.hasInstanceId) problems.push(`forms/app/${def.form}.xml: needs <meta><instanceID/></meta>`);
  if (xform.id !== def.form) problems.push(`forms/app/${def.form}.xml: form id '${xform.id}' does not match the file name`);
  const fields: Record<string, FieldType> = {};
  for (const [k, t] of Object.entries(xform.fields)) if (TYPED.indexOf(t) >= 0) fields[k] = t;

  const model: FormModel = { observations, conditions, fields };
  if (def.encounter_type) model.type = concept(def.encounter_type, '/encounter_type');
  if (def.fulfils) {
    checkField(def.fulfils.field, '/fulfils');
    model.fulfils = { field: def.fulfils.field };
    if (def.fulfils.status_field) {
      checkField(def.fulfils.status_field, '/fulfils/status_field');
      checkAnswers(def.fulfils.status_field, def.fulfils.statuses ?? {}, '/fulfils/statuses');
      model.fulfils.statusField = def.fulfils.status_field;
      model.fulfils.statuses = def.fulfils.statuses ?? {};
    }
  }
  return model;
}
