import type { RuleBase, When } from '../../../core/model';
import type { XFormInfo } from '../xform';
import { parseWhen } from '../parse-when';
import { report, type FormContext } from './context';
import { checkAnswer, isPersonRef, leaf, sameInstance } from './fields';

/** What every rule shares: its field, `when`, subject, and whether it is required. */
export interface BaseDef {
  field?: string;
  when?: string;
  subject?: string;
  required?: boolean;
}

/** field, when, subject: what every rule shares. */
export function base(ctx: FormContext, r: BaseDef, where: string): RuleBase {
  const out: RuleBase = {};
  if (r.field) {
    leaf(ctx, r.field, where + '/field');
    out.field = r.field;
  }
  if (r.when) {
    const when = compileWhen(ctx, r.when, where + '/when');
    if (when) out.when = when;
  }
  if (r.subject) {
    const f = leaf(ctx, r.subject, where + '/subject');
    if (f && !isPersonRef(ctx.xform, f))
      report(
        ctx,
        where + '/subject',
        `'${r.subject}' holds no person's _id: use a db-doc-ref field pointing at a db-doc section, or a contact picker (bind type db:person or appearance select-contact)`,
      );
    sameInstance(ctx, r.subject, r.field, where + '/subject');
    out.subject = r.subject;
  }
  if (r.required) out.required = true;
  return out;
}

/** A `when` condition parsed against the form, the answers it compares checked; undefined (and a problem) when it does not parse. */
function compileWhen(ctx: FormContext, text: string, where: string): When | undefined {
  const { xform } = ctx;
  try {
    const parsed = parseWhen(text, (ref, byName) => resolveRef(xform, ref, byName), xform.root);
    for (const [p, v] of parsed.values) checkAnswer(ctx, p, v, where);
    return selectedForm(parsed.when, xform);
  } catch (e) {
    report(ctx, where, `${(e as Error).message} in '${text}'`);
    return undefined;
  }
}

/**
 * `${x} = 'v'` on a single-choice field is `selected(${x}, 'v')`: the same
 * test (one stored choice, a code without spaces), written shorter in the
 * model that phones download.
 */
function selectedForm(w: When, x: XFormInfo): When {
  const [op, left, right] = w;
  if (op === '=' && Array.isArray(left) && left[0] === '.' && typeof left[1] === 'string' && x.fields[left[1]]?.type === 'select1' && typeof right === 'string')
    return ['sel', left[1], right];
  return w.map((part) => (Array.isArray(part) ? selectedForm(part, x) : part));
}

/** `${name}` (unique field name) or a dotted path -> the field's path. */
function resolveRef(x: XFormInfo, ref: string, byName: boolean): string {
  if (!byName) {
    if (x.fields[ref]) return ref;
    throw new Error(`'${ref}' is not a field of the form`);
  }
  const found = Object.keys(x.fields).filter((p) => p === ref || p.endsWith('.' + ref));
  if (found.length === 1) return found[0]!;
  throw new Error(found.length ? `\${${ref}} is ambiguous (${found.join(', ')}): write the dotted path` : `\${${ref}} is not a field of the form`);
}
