import fs from 'node:fs';
import path from 'node:path';
import { DefinitionError } from './load';

/**
 * A cht-conf project, in either layout cht-conf accepts: the split one
 * (`app_settings/base_settings.json` with `forms.json` beside it) or the
 * single `app_settings.json`. cht-conf prefers base_settings.json when both
 * exist (it then regenerates app_settings.json), and so do we.
 */
export interface Project {
  root: string;
  layout: 'split' | 'single';
  /** The settings file the admin edits, and the one `build` edits. */
  settingsFile: string;
  /** app_settings/fhir: the mapping definitions (both layouts). */
  fhirDir: string;
  /** Where cht-conf uploads extension libs from. */
  libsDir: string;
  /** What `build` writes for the receiver: the mapping model as data. */
  receiverModel: string;
}

export const RECEIVER_MODEL = 'fhir-receiver/model.json';

export function projectAt(root: string): Project {
  const abs = path.resolve(root);
  const split = path.join(abs, 'app_settings/base_settings.json');
  const single = path.join(abs, 'app_settings.json');
  const layout = fs.existsSync(split) ? 'split' : fs.existsSync(single) ? 'single' : undefined;
  if (!layout) throw new DefinitionError([`${abs}: not a cht-conf project (no app_settings/base_settings.json nor app_settings.json)`]);
  return {
    root: abs,
    layout,
    settingsFile: layout === 'split' ? split : single,
    fhirDir: path.join(abs, 'app_settings/fhir'),
    libsDir: path.join(abs, 'extension-libs'),
    receiverModel: path.join(abs, RECEIVER_MODEL),
  };
}

export interface ProjectSettings {
  contact_types?: Array<{ id: string; person?: boolean; parents?: string[] }>;
  forms?: Record<string, { fields?: Record<string, { required?: boolean }> }>;
  [key: string]: unknown;
}

/**
 * The app settings as cht-conf would upload them, as far as we read them:
 * contact types, and JSON forms (from `forms.json` in the split layout).
 */
export function readProjectSettings(project: Project, problems: string[]): ProjectSettings | undefined {
  const settings = readObject(project, project.settingsFile, problems);
  if (!settings) return undefined;
  if (project.layout === 'split') {
    const formsFile = path.join(project.root, 'app_settings/forms.json');
    if (fs.existsSync(formsFile)) {
      const forms = readObject(project, formsFile, problems);
      // As cht-conf's compile-app-settings: forms.json replaces any `forms` in base_settings.json.
      if (forms) settings.forms = forms as NonNullable<ProjectSettings['forms']>;
    }
  }
  return settings;
}

function readObject(project: Project, file: string, problems: string[]): ProjectSettings | undefined {
  const rel = path.relative(project.root, file);
  try {
    const data: unknown = JSON.parse(fs.readFileSync(file, 'utf8'));
    if (data && typeof data === 'object' && !Array.isArray(data)) return data as ProjectSettings;
    problems.push(`${rel}: must be a JSON object`);
  } catch (e) {
    problems.push(`${rel}: ${(e as Error).message}`);
  }
  return undefined;
}
