import type { CodeableConcept, Reference } from 'fhir/r4';
import type { Actor, Place } from './model';
import type { Scope } from './fields';
import { refTo } from './identity';
import { own, text } from './values';
import { type ReportContext, read } from './rules';

/**
 * Who did what a rule records, and where: read from the report per fact (a
 * field of the same repeat instance), so a delivery's attendant or a test's
 * facility lands on the Procedure or Observation it belongs to.
 */

export interface Performer {
  actor: Reference;
  /** The role an answer named ("skilled birth attendant"): Procedure.performer.function. */
  role?: CodeableConcept;
}

/** The rule's performer for one fact; without one, the submitter. Undefined when the field is empty. */
export function performerOf(ctx: ReportContext, actor: Actor | undefined, scope: Scope): Performer | undefined {
  const submitter = ctx.performer?.[0];
  if (!actor || actor === 'submitter') return submitter && { actor: submitter };
  const value = text(read(ctx, actor.field, scope)[0]);
  if (!value) return undefined;
  if ('as' in actor) return { actor: refTo(ctx.d, actor.as, value) };
  // Several words: a multi-select; the first mapped answer names the role.
  const key = value
    .split(' ')
    .map((a) => own(actor.roles, a))
    .find((k) => k);
  if (!key) return undefined;
  const role = ctx.concept(key);
  return { actor: { display: role.text ?? role.coding?.[0]?.display ?? key }, role };
}

/** As a `performer` element of a Procedure, Immunization or MedicationAdministration: the actor, with the role as its function. */
export function performerElement(p: Performer): { actor: Reference; function?: CodeableConcept } {
  return p.role ? { function: p.role, actor: p.actor } : { actor: p.actor };
}

/** The Location of one fact, or undefined when the form does not say (or says somewhere the rule does not map). */
export function locationOf(ctx: ReportContext, place: Place | undefined, scope: Scope): Reference | undefined {
  if (!place) return undefined;
  let where: string | undefined = typeof place === 'string' ? place : undefined;
  if (typeof place !== 'string') {
    const value = text(read(ctx, place.field, scope)[0]);
    if (!value) return undefined;
    if (!place.answers) return refTo(ctx.d, 'Location', value);
    where = own(place.answers, value);
  }
  const id = where === 'household' ? ctx.household : where === 'facility' ? ctx.facility : undefined;
  return id ? refTo(ctx.d, 'Location', id) : undefined;
}
