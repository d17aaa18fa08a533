import type { FormModel, When } from '../core/model';
import { NOT_ANSWERS } from '../core/questionnaire-response';
import type { XFormInfo } from './xform';

/** Where each field of a form ends up in FHIR. */
export interface FormCoverage {
  form: string;
  /** Whether app_settings/fhir/forms/<form>.json exists (otherwise CHT pushes nothing for it). */
  mapped: boolean;
  /** Fields a rule reads: they make (or decide) Observations, Conditions... */
  toResources: string[];
  /** Answers carried only in the QuestionnaireResponse. */
  onlyInResponse: string[];
  /** In no output: notes, `meta`/`inputs`, or every field of an unmapped form. */
  nowhere: string[];
}

/** Coverage of one form from its XForm and, when mapped, its compiled model. */
export function formCoverage(xform: XFormInfo, model: FormModel | undefined): FormCoverage {
  const read = model ? fieldsRead(model) : new Set<string>();
  const out: FormCoverage = { form: xform.id, mapped: !!model, toResources: [], onlyInResponse: [], nowhere: [] };
  for (const [path, field] of Object.entries(xform.fields)) {
    if (read.has(path)) out.toResources.push(path);
    else if (!model || (field.control && field.readonly) || NOT_ANSWERS.includes(path.split('.')[0]!)) out.nowhere.push(path);
    else out.onlyInResponse.push(path);
  }
  return out;
}

const FIELD_KEYS = new Set(['field', 'subject', 'date', 'onset', 'abatement', 'statusField', 'end']);

/** Every field path a form's rules name, `when` conditions, episodes and newborns included. */
function fieldsRead(model: FormModel): Set<string> {
  const out = new Set<string>();
  const whenFields = (w: When | string | number): void => {
    if (!Array.isArray(w)) return;
    if ((w[0] === '.' || w[0] === 'sel') && typeof w[1] === 'string') out.add(w[1]);
    else w.forEach(whenFields);
  };
  const rules = [
    model.fulfils,
    ...(model.observations ?? []),
    ...(model.conditions ?? []),
    ...(model.immunizations ?? []),
    ...(model.procedures ?? []),
    ...(model.appointments ?? []),
    // An episode's field links the report to its EpisodeOfCare (Encounter.episodeOfCare), its end dates it.
    ...(model.episodes ?? []),
  ];
  if (model.newborns) out.add(model.newborns);
  for (const rule of rules) {
    if (!rule) continue;
    for (const [k, v] of Object.entries(rule)) {
      if (FIELD_KEYS.has(k) && typeof v === 'string') out.add(v);
      if (k === 'when') whenFields(v as When);
    }
  }
  return out;
}
