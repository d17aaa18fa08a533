import type { FieldType } from '../../../core/model';

/** What the build reads from an XForm (see ../xform.ts). */

/** Text per language; `''` when the form has no itext (inline labels). */
export type Labels = Record<string, string>;

export interface Choice {
  value: string;
  label?: Labels;
}

export interface XFormField {
  type: FieldType;
  /** Bind type as written (`db:person`, `geopoint`, ...) when it is not one of FieldType. */
  rawType?: string;
  label?: Labels;
  /** Undefined when the list lives outside the form (an external CSV instance). */
  choices?: Choice[];
  /** Innermost repeat holding the field. */
  repeat?: string;
  calculate?: string;
  /** `readonly="true()"` with no calculate: a note, shown, never answered. */
  readonly?: boolean;
  /** The primary instance's default value. */
  value?: string;
  /** A `db-doc-ref` field: the path of the section it references (`''` = the report itself). */
  dbDocRef?: string;
  /** Appearance of its control (`select-contact type-person`, ...). */
  appearance?: string;
  /** Has a control in the body (an answer the user gives or sees). */
  control: boolean;
}

export interface XFormGroup {
  label?: Labels;
  repeat: boolean;
  /** Innermost repeat holding the group (itself for a repeat). */
  inRepeat?: string;
  /** `db-doc="true"`: saved as a doc of its own as well. */
  dbDoc: boolean;
  /** For a db-doc section, the doc `type` it saves (`person`, `data_record`...), when the form fixes it. */
  docType?: string;
}

export interface InstanceNode {
  path: string;
  children?: InstanceNode[];
}

export interface XFormInfo {
  id: string;
  /** The primary instance's root element: absolute XPaths start with it. */
  root: string;
  title: string;
  /** itext languages, the default first; empty when labels are inline. */
  languages: string[];
  fields: Record<string, XFormField>;
  groups: Record<string, XFormGroup>;
  /** The primary instance's nodes in form order; groups have children. */
  tree: InstanceNode[];
  hasInstanceId: boolean;
}
