import type { RelatedPerson } from 'fhir/r4';
import type { Doc } from './values';
import { chtIdentifier, refTo, resourceId } from './identity';
import { answersAt } from './fields';
import { type ReportContext } from './rules';
import { compact } from './contacts';
import { isObject, text } from './values';

const ROLE_CODE = 'http://terminology.hl7.org/CodeSystem/v3-RoleCode';

/**
 * Each newborn a report names, linked to its mother (the report's patient)
 * as FHIR and IPS model it: a RelatedPerson of the newborn's, relationship
 * MTH, carrying the mother's CHT identifier so a reader finds her Patient.
 * (Patient.link can only point from one Patient record of the same person
 * to another, so it cannot say "mother".)
 */
export function newbornLinks(ctx: ReportContext, field: string | undefined, mother: Doc | undefined): RelatedPerson[] {
  if (!field || !ctx.subjectId) return [];
  const out: RelatedPerson[] = [];
  for (const a of answersAt(ctx.fields, ctx.shape, field)) {
    const baby = text(a.value);
    if (!baby) continue;
    out.push(
      compact<RelatedPerson>({
        resourceType: 'RelatedPerson',
        id: resourceId(ctx.d, 'RelatedPerson', baby, 'mother'),
        identifier: [chtIdentifier(ctx.d, ctx.subjectId)],
        patient: refTo(ctx.d, 'Patient', baby),
        relationship: [{ coding: [{ system: ROLE_CODE, code: 'MTH', display: 'mother' }] }],
        name: isObject(mother) && text(mother.name) ? [{ text: text(mother.name) }] : undefined,
        gender: 'female',
      }),
    );
  }
  return out;
}
