import type { FormModel } from '../../core/model';
import { fieldsRead } from './field-refs';
import { NOT_ANSWERS } from '../../core/questionnaire-response';
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
