import { relevantTo } from '../src/build/outbound';
import type { MappingModel } from '../src/core/model';

export interface FormBytes {
  form: string;
  /** The form's part: its rules and shape, its key in the section, the concepts it names. */
  bytes: number;
  rulesAndShape: number;
  concepts: number;
  conceptBytes: number;
}

export interface OutboundBytes {
  /** The core, the deployment, contacts, the entry's frame. */
  shared: number;
  forms: FormBytes[];
  /** The forms' parts together. */
  total: number;
}

/**
 * What the outbound section costs as forms grow: the shared part (the core,
 * the deployment, contacts, the entry's frame) and each form's part (its rules
 * and shape, plus the concepts it names, counted in full for every form that
 * names them, so the per-form figures are an upper bound).
 */
export function outboundBytes(model: MappingModel, coreBytes: number): OutboundBytes {
  const size = (x: unknown) => JSON.stringify(x).length;
  const shared = coreBytes + size({ ...model, forms: {}, concepts: {} }) + size(relevantTo({ ...model, forms: {} }));
  const forms = Object.keys(model.forms)
    .sort()
    .map((form): FormBytes => {
      const def = model.forms[form];
      const keys = new Set<string>();
      JSON.stringify(def, (_k, v) => (typeof v === 'string' && Object.prototype.hasOwnProperty.call(model.concepts, v) ? (keys.add(v), v) : v));
      const conceptBytes = [...keys].reduce((n, k) => n + k.length + size(model.concepts[k]) + 4, 0);
      return { form, bytes: size(def) + form.length + 5 + conceptBytes, rulesAndShape: size(def), concepts: keys.size, conceptBytes };
    });
  return { shared, forms, total: forms.reduce((n, f) => n + f.bytes, 0) };
}

export const kb = (bytes: number) => (bytes / 1024).toFixed(1) + ' KB';
