import type { Actor, Place, RuleBase } from '../../../core/model';
import type { ActorDef, PlaceDef, RuleDef } from '../files';
import { report, type FormContext } from './context';
import { answerConcepts, checkAnswers, contactTypeOf, isPersonRef, isPlaceType, leaf, sameInstance } from './fields';

/** Who did it and where: performers (actors) and locations (places), the same checks for every rule kind. */

/** Who an element may name: the resource types its Reference allows, and whether a role shown as text will do. */
export interface ActorKinds {
  what: string;
  as: Array<'Practitioner' | 'Patient' | 'Organization'>;
  roles: boolean;
}
export const ANYONE = (what: string): ActorKinds => ({ what, as: ['Practitioner', 'Patient', 'Organization'], roles: true });

/** What a resource allows: a performer of these kinds, a location. */
export interface WhoAllowed {
  performer?: ActorKinds;
  location?: boolean;
}

/** The rule's performer and location, where its resource has them (`allow`), else a problem naming the rule kind. */
export function who(ctx: FormContext, r: RuleDef, out: RuleBase, where: string, resource: string, allow: WhoAllowed): void {
  if (r.performer !== undefined) {
    if (!allow.performer) report(ctx, where + '/performer', `${resource} says no performer here (FHIR R4)`);
    else out.performer = actor(ctx, r.performer, r.field, where + '/performer', allow.performer);
  }
  if (r.location !== undefined) {
    if (!allow.location)
      report(
        ctx,
        where + '/location',
        `${resource} has no location in FHIR R4${allow.performer?.as.includes('Organization') ? ": name the facility as performer (a place's _id)" : ''}`,
      );
    else out.location = place(ctx, r.location, r.field, where + '/location');
  }
}

/** A performer: the submitter, a contact's `_id` in a field (said what it is in FHIR), or a role from an answer. */
export function actor(ctx: FormContext, a: ActorDef, ruleField: string | undefined, where: string, allow: ActorKinds): Actor | undefined {
  if (a === 'submitter') return a;
  const path = typeof a === 'string' ? a : a.field;
  const f = leaf(ctx, path, where + (typeof a === 'string' ? '' : '/field'));
  sameInstance(ctx, path, ruleField, where);
  if (!f) return undefined;
  if (typeof a !== 'string' && a.roles) {
    if (a.as) report(ctx, where, `give 'as' (a contact's _id) or 'roles' (answers naming a role), not both`);
    if (!allow.roles)
      report(ctx, where + '/roles', `${allow.what} names who by reference: a role from an answer cannot be one (use a field with a contact's _id)`);
    return { field: path, roles: answerConcepts(ctx, path, a.roles, `${where}/roles`) };
  }
  if (!isPersonRef(ctx.xform, f)) {
    // A text field a task or app fills with a contact's _id (a test administrator's): the definition says what it is.
    if (typeof a !== 'string' && a.as && f.type === 'string') return { field: path, as: a.as };
    report(
      ctx,
      where,
      `'${path}' holds no contact's _id: use a contact picker or a db-doc-ref; for a text field that holds one, { "field": "${path}", "as": "Practitioner" }; for an answer naming a role, { "field": "${path}", "roles": { <answer>: <concept> } }`,
    );
    return undefined;
  }
  const type = contactTypeOf(ctx.xform, f);
  const placeAs = isPlaceType(ctx, type) ? 'Organization' : undefined;
  const as = typeof a === 'string' ? placeAs : (a.as ?? placeAs);
  if (!as) {
    report(
      ctx,
      where,
      `'${path}' holds a person's _id: say what that person is in FHIR with { "field": "${path}", "as": "Practitioner" } (a person whose role is in contacts.json practitioner_roles) or "Patient"`,
    );
    return undefined;
  }
  if (as === 'Organization' && type && !isPlaceType(ctx, type))
    report(ctx, where, `'${path}' holds a ${type}'s _id, which is a person: only a place is an Organization`);
  if (allow.as.indexOf(as) < 0)
    report(ctx, where, `${allow.what} cannot be ${as === 'Organization' ? 'a place (Organization)' : `a ${as}`} (FHIR R4 allows ${allow.as.join(', ')})`);
  return { field: path, as };
}

/** A location: the household, the facility, a place's `_id` in a field, or answers naming one of the two. */
export function place(ctx: FormContext, p: PlaceDef, ruleField: string | undefined, where: string): Place | undefined {
  if (p === 'household' || p === 'facility') return p;
  const path = typeof p === 'string' ? p : p.field;
  const f = leaf(ctx, path, where + (typeof p === 'string' ? '' : '/field'));
  sameInstance(ctx, path, ruleField, where);
  if (!f) return undefined;
  if (typeof p !== 'string' && p.answers) {
    checkAnswers(ctx, path, Object.keys(p.answers), `${where}/answers`);
    return { field: path, answers: p.answers };
  }
  // A picker or db-doc-ref must pick a place; a text field (filled by a task or app) is taken at its word.
  const picked = isPersonRef(ctx.xform, f) ? contactTypeOf(ctx.xform, f) : undefined;
  if (f.type !== 'string' || (picked && !isPlaceType(ctx, picked)))
    report(
      ctx,
      where,
      `'${path}' holds no place's _id: use 'household', 'facility', a place picker, or { "field": "${path}", "answers": { <answer>: "household" | "facility" } }`,
    );
  return { field: path };
}
