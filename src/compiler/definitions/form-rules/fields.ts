import { SHAPE_CODES } from '../../../core/model';
import type { XFormField, XFormInfo } from '../xform';
import { concept, report, type FormContext } from './context';
import type { ConceptRef } from '../files';

/** How rules name the form's fields: each path resolved, its repeat and answers checked. */

/** A leaf field of the form, or a problem saying what the path is instead. */
export function leaf(ctx: FormContext, path: string, where: string): XFormField | undefined {
  const { xform, xml } = ctx;
  const f = xform.fields[path];
  if (f) return f;
  if (xform.groups[path]) report(ctx, where, `'${path}' is a ${xform.groups[path].repeat ? 'repeat' : 'group'} of ${xml}, not a field: name one of its fields`);
  else {
    const last = path.slice(path.lastIndexOf('.') + 1);
    const like = Object.keys(xform.fields).filter((p) => p.endsWith('.' + last) || p === last);
    report(ctx, where, `'${path}' is not a field of ${xml}${like.length ? ` (did you mean ${like.map((p) => `'${p}'`).join(' or ')}?)` : ''}`);
  }
  return undefined;
}

/** The innermost repeat holding a field or group. */
export function repeatOf(x: XFormInfo, path: string): string | undefined {
  return x.fields[path]?.repeat ?? x.groups[path]?.inRepeat;
}

/** A field read alongside the rule's field must sit in the same repeat instance, or outside every repeat. */
export function sameInstance(ctx: FormContext, path: string, ruleField: string | undefined, where: string): void {
  const r = repeatOf(ctx.xform, path);
  const own = ruleField ? (repeatOf(ctx.xform, ruleField) ?? '') : '';
  if (r && !(own === r || own.startsWith(r + '.')))
    report(
      ctx,
      where,
      `'${path}' is inside repeat '${r}' but the rule's field ${ruleField ? `'${ruleField}' is not` : 'is not given'}: it would have several values; use a field of the same repeat instance`,
    );
}

/** A field read beside the rule's field: resolved, then in the same repeat instance. */
export function sideField(ctx: FormContext, path: string, ruleField: string | undefined, where: string): void {
  if (leaf(ctx, path, where)) sameInstance(ctx, path, ruleField, where);
}

/** An answer a definition names must be one of the field's choices (when the form lists them). */
export function checkAnswer(ctx: FormContext, path: string, answer: string, where: string): void {
  const choices = ctx.xform.fields[path]?.choices;
  if (choices && !choices.some((c) => c.value === answer))
    report(ctx, where, `'${answer}' is not a choice of '${path}' (choices: ${choices.map((c) => c.value).join(', ') || 'none'})`);
}

/** Each answer checked as a choice of `field`, at `${at}/${answer}`. */
export function checkAnswers(ctx: FormContext, field: string, answers: string[], at: string): void {
  for (const answer of answers) checkAnswer(ctx, field, answer, `${at}/${answer}`);
}

/** Answer -> concept: each answer checked as a choice of `field`, each concept resolved, at `${at}/${answer}`. */
export function answerConcepts(ctx: FormContext, field: string, answers: Record<string, ConceptRef>, at: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [answer, ref] of Object.entries(answers)) {
    checkAnswer(ctx, field, answer, `${at}/${answer}`);
    out[answer] = concept(ctx, ref, `${at}/${answer}`);
  }
  return out;
}

/** A field's code in the form's shape (core/model.ts SHAPE_CODES), undefined for text. */
export function typeCodeOf(f: XFormField | undefined): string | undefined {
  return f && f.type !== 'string' ? SHAPE_CODES[f.type] : undefined;
}

/** A db-doc-ref to a db-doc section that saves a contact (not a report, not the report itself), or a contact picker. */
export function isPersonRef(x: XFormInfo, f: XFormField): boolean {
  if (f.dbDocRef !== undefined) {
    const section = f.dbDocRef === '' ? undefined : x.groups[f.dbDocRef];
    return !!section?.dbDoc && section.docType !== 'data_record';
  }
  return (f.rawType ?? '').startsWith('db:') || /(^|\s)select-contact(\s|$)/.test(f.appearance ?? '');
}

/** The contact type a picker or db-doc-ref field holds the `_id` of, when the form says. */
export function contactTypeOf(x: XFormInfo, f: XFormField): string | undefined {
  if (f.dbDocRef !== undefined) return f.dbDocRef ? x.groups[f.dbDocRef]?.docType : undefined;
  return /^db:(.+)$/.exec(f.rawType ?? '')?.[1] ?? /(?:^|\s)type-(\S+)/.exec(f.appearance ?? '')?.[1];
}

/** Whether the project makes contacts of this type places (Organizations). */
export function isPlaceType(ctx: FormContext, type: string | undefined): boolean {
  return !!type && ctx.contacts?.types[type] === 'Place';
}
