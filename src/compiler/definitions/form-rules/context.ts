import type { ContactModel } from '../../../core/model';
import type { Terminology } from '../../../core/terminology';
import type { ConceptRef, FormDefinition } from '../files';
import type { XFormInfo } from '../xform';
import type { ConceptTable } from './concepts';

/**
 * What every check of one form's definition reads: the definition, the
 * XForm it maps, the concepts and contact types of the project, and where
 * problems go. Each problem names the definition file and the JSON path
 * (`file: /json/path: reason`); the form's own problems name its XForm.
 */
export interface FormContext {
  readonly def: FormDefinition;
  readonly xform: XFormInfo;
  readonly terms: Terminology;
  readonly table: ConceptTable;
  readonly contacts?: ContactModel;
  /** The definition file, relative to the project root. */
  readonly rel: string;
  /** The form's XForm, as messages name it. */
  readonly xml: string;
  /** Fields the definition lists in `epoch_ms`. */
  readonly epochs: ReadonlySet<string>;
  readonly problems: string[];
}

export function formContext(
  def: FormDefinition,
  xform: XFormInfo,
  terms: Terminology,
  table: ConceptTable,
  rel: string,
  problems: string[],
  contacts?: ContactModel,
): FormContext {
  return { def, xform, terms, table, contacts, rel, xml: `forms/app/${def.form}.xml`, epochs: new Set(def.epoch_ms ?? []), problems };
}

/** A problem at a JSON path of the definition. */
export function report(ctx: FormContext, where: string, msg: string): void {
  ctx.problems.push(`${ctx.rel}: ${where}: ${msg}`);
}

/** The model's key for a concept, or a problem when the terminology has no such concept. */
export function concept(ctx: FormContext, ref: ConceptRef, where: string): string {
  return ctx.table.key(ref, `${ctx.rel}: ${where}`, ctx.problems);
}
