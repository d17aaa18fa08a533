import { relevantTo } from '../src/compiler/outbound';
import type { MappingModel } from '../src/core/model';
import { jsLiteral } from '../src/compiler/definitions/js-literal';

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
  /** The forms' parts added up (concepts counted in each form that names them). */
  total: number;
  /** What the forms add to the section together: their rules and shapes, each concept they name once. */
  together: number;
}

/**
 * What the outbound section costs as forms grow: the shared part (the core,
 * the deployment, contacts, the entry's frame) and each form's part (its rules
 * and shape, plus the concepts it names, counted in full for every form that
 * names them, so the per-form figures are an upper bound).
 */
export function outboundBytes(model: MappingModel, core: string): OutboundBytes {
  // As stored: the expr is a JSON string in app settings, the model a JS literal in it (build/outbound.ts).
  const stored = (text: string) => JSON.stringify(text).length - 2;
  const size = (x: unknown) => stored(jsLiteral(x));
  const shared = stored(core) + size({ ...model, forms: {}, concepts: {} }) + stored(relevantTo({ ...model, forms: {} }));
  const forms = Object.keys(model.forms)
    .sort()
    .map((form): FormBytes => {
      const def = model.forms[form];
      const keys = new Set<string>();
      JSON.stringify(def, (_k, v) => (typeof v === 'string' && Object.prototype.hasOwnProperty.call(model.concepts, v) ? (keys.add(v), v) : v));
      const conceptBytes = [...keys].reduce((n, k) => n + size({ [k]: model.concepts[k] }) - 1, 0);
      return { form, bytes: size({ [form]: def }) - 1 + conceptBytes, rulesAndShape: size(def), concepts: keys.size, conceptBytes };
    });
  // Together: the forms' rules and shapes, and every concept they name counted once.
  const all = new Set<string>();
  JSON.stringify(model.forms, (_k, v) => (typeof v === 'string' && Object.prototype.hasOwnProperty.call(model.concepts, v) ? (all.add(v), v) : v));
  const together = size(model.forms) + [...all].reduce((n, k) => n + size({ [k]: model.concepts[k] }) - 1, 0);
  return { shared, forms, total: forms.reduce((n, f) => n + f.bytes, 0), together };
}

export const kb = (bytes: number) => (bytes / 1024).toFixed(1) + ' KB';
