import fs from 'node:fs';
import path from 'node:path';
import type { ContactModel, ContactResource, FormModel, MappingModel } from '../../core/model';
import { contactsSchema, formSchema, settingsSchema, terminologySchema } from './schema';
import { DefinitionError, readJson } from './load';
import { parseXForm, type XFormInfo } from './xform';
import type { Terminology } from '../../core/terminology';
import type { DeclaredContactType } from '../../core/receiver-model';
import { compileForm } from './compile-form';
import { formContext } from './form-rules/context';
import { ConceptTable, ucumUtils } from './form-rules/concepts';
import type { ContactsDefinition, FormDefinition, Settings, TerminologyDefinition } from './files';
import { projectAt, readProjectSettings } from './project';
import { filesIn } from './folder';

/**
 * app_settings + forms/ + app_settings/fhir/*.json -> the MappingModel the
 * core runs on, plus the outbound settings. Everything an admin can get wrong
 * is caught here, at build time, with the file and path.
 */

export type { FormDefinition, Settings } from './files';

export interface Compiled {
  model: MappingModel;
  settings: Settings;
  terminology: Terminology;
  /** Files read, relative to the project root (for messages and staleness checks). */
  files: string[];
  /** The XForms of the mapped forms, as read. */
  xforms: Record<string, XFormInfo>;
  /** App settings `contact_types` (id, person, parents), when the project declares them. */
  contactTypes?: DeclaredContactType[];
}

export const DEFAULT_PRACTITIONER_ROLES = ['chw', 'chw_supervisor', 'nurse', 'health_worker', 'manager'];
const BUILT_IN_TYPES: Record<string, ContactResource> = { person: 'Patient', clinic: 'Place', health_center: 'Place', district_hospital: 'Place' };

export function compileDefinitions(root: string): Compiled {
  const problems: string[] = [];
  const project = projectAt(root);
  const fhirDir = project.fhirDir;
  const files: string[] = [];
  const read = <T>(file: string, schema: object) => {
    files.push(path.relative(root, file));
    return readJson<T>(file, root, schema, problems);
  };

  const settings = read<Settings>(path.join(fhirDir, 'settings.json'), settingsSchema);
  const terminology = read<TerminologyDefinition>(path.join(fhirDir, 'terminology.json'), terminologySchema) ?? { concepts: {} };
  const contactsFile = path.join(fhirDir, 'contacts.json');
  const contactsDef = fs.existsSync(contactsFile) ? read<ContactsDefinition>(contactsFile, contactsSchema) : {};
  files.push(path.relative(root, project.settingsFile));
  const base = readProjectSettings(project, problems);

  for (const [unit] of Object.entries(terminology.units ?? {})) {
    if (ucumUtils().validateUnitString(unit).status !== 'valid') problems.push(`app_settings/fhir/terminology.json: /units/${unit}: not a valid UCUM unit`);
  }

  const contacts = compileContacts(base?.contact_types, contactsDef ?? {}, problems);

  const table = new ConceptTable(terminology);
  const { forms, xforms } = compileForms(root, fhirDir, { terminology, table, contacts, read, files, problems });

  if (problems.length || !settings) throw new DefinitionError(problems.length ? problems : ['app_settings/fhir/settings.json: missing']);
  return {
    model: {
      deployment: { identifierBase: settings.identifier_base, namespace: settings.id_namespace.toLowerCase() },
      contacts,
      systems: table.systems,
      concepts: table.concepts,
      forms,
    },
    settings,
    terminology,
    files,
    xforms,
    ...(base?.contact_types?.length
      ? { contactTypes: base.contact_types.map(({ id, person, parents }) => ({ id, ...(person ? { person } : {}), ...(parents?.length ? { parents } : {}) })) }
      : {}),
  };
}

/** What compiling the forms shares: the concepts they name, the contact model, and where files and problems are noted. */
interface FormsInput {
  terminology: TerminologyDefinition;
  table: ConceptTable;
  contacts: ContactModel;
  read: <T>(file: string, schema: object) => T | undefined;
  files: string[];
  problems: string[];
}

/** app_settings/fhir/forms/<form>.json, each against its XForm forms/app/<form>.xml. */
function compileForms(root: string, fhirDir: string, c: FormsInput): { forms: Record<string, FormModel>; xforms: Record<string, XFormInfo> } {
  const forms: Record<string, FormModel> = {};
  const xforms: Record<string, XFormInfo> = {};
  const formDir = path.join(fhirDir, 'forms');
  for (const f of filesIn(formDir, '.json')) {
    const file = path.join(formDir, f);
    const def = c.read<FormDefinition>(file, formSchema);
    if (!def) continue;
    const rel = path.relative(root, file);
    if (path.basename(f, '.json') !== def.form) c.problems.push(`${rel}: /form: '${def.form}' does not match the file name`);
    const xform = readXForm(root, def.form, rel, c);
    if (xform) {
      forms[def.form] = compileForm(formContext(def, xform, c.terminology, c.table, rel, c.problems, c.contacts));
      xforms[def.form] = xform;
    }
  }
  return { forms, xforms };
}

/** The form's XForm, read and noted; undefined (with a problem) when it is missing or unreadable. */
function readXForm(root: string, form: string, rel: string, c: Pick<FormsInput, 'files' | 'problems'>): XFormInfo | undefined {
  const xformFile = path.join(root, 'forms/app', form + '.xml');
  if (!fs.existsSync(xformFile)) return void c.problems.push(`${rel}: /form: no XForm forms/app/${form}.xml`);
  try {
    const xform = parseXForm(fs.readFileSync(xformFile, 'utf8'), path.relative(root, xformFile));
    c.files.push(path.relative(root, xformFile));
    return xform;
  } catch (e) {
    c.problems.push((e as Error).message);
    return undefined;
  }
}

function compileContacts(declared: Array<{ id: string; person?: boolean }> | undefined, def: ContactsDefinition, problems: string[]): ContactModel {
  const types: Record<string, ContactResource> = {};
  if (declared && declared.length) for (const t of declared) types[t.id] = t.person ? 'Patient' : 'Place';
  else Object.assign(types, BUILT_IN_TYPES);
  for (const [id, kind] of Object.entries(def.types ?? {})) {
    if (!(id in types)) problems.push(`app_settings/fhir/contacts.json: /types/${id}: not a contact type in app_settings contact_types`);
    else if (kind === 'none') delete types[id];
    else if ((kind === 'Place') !== (types[id] === 'Place'))
      problems.push(`app_settings/fhir/contacts.json: /types/${id}: a ${types[id] === 'Place' ? 'place' : 'person'} type cannot become ${kind}`);
    else types[id] = kind;
  }
  return { types, practitionerRoles: def.practitioner_roles ?? DEFAULT_PRACTITIONER_ROLES };
}
