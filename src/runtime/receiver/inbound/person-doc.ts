import type { DeclaredContactType } from '../../../core/receiver-model';
import type { ChtDoc } from './cht-docs';
import type { Primitive } from './plan';
import { Refused } from '../failure';

/**
 * A person doc exactly as CHT stores one, built without I/O, so the receiver
 * can write it straight to CouchDB (PUT /medic/<id>) under an `_id` derived
 * from the FHIR source. CHT's person API (POST /api/v1/person, 5.2+) refuses
 * any `_id`, so it cannot make a create idempotent; a direct write can, on
 * every CHT version (4.x has no person API at all), and CouchDB's `_rev`
 * turns a concurrent write into a 409 to re-read and retry.
 *
 * What the API would check or set is done here, each rule from cht-core:
 * - type (shared-libs/cht-datasource/src/local/person.ts getTypeProperties):
 *   a type declared in `contact_types` is stored as `type: contact` +
 *   `contact_type`; without a declaration only `person` is a person type,
 *   stored as `type: person`;
 * - parent (local/person.ts assertParent, local/libs/lineage.ts
 *   assertHasValidParentType; contact-types-utils isParentOf): the parent
 *   exists and its type is among the person type's `parents` (built-in:
 *   district_hospital, health_center, clinic);
 * - fields (libs/parameter-validators.ts assertPersonInput): `name` a
 *   non-blank string; `phone`, `sex`, `patient_id` strings when present;
 * - lineage (local/libs/lineage.ts minifyDoc): `parent` is the minified
 *   chain `{_id, parent: {_id, ...}}`;
 * - update (local/person.ts update): `_rev`, `reported_date`, `type`,
 *   `contact_type` and the parent lineage stay as stored.
 */
const DEFAULT_PERSON_PARENTS = ['district_hospital', 'health_center', 'clinic'];

/** contact-types-utils getTypeId: the type a contact doc is of. */
export function typeOf(doc: Record<string, unknown>): string | undefined {
  const t = doc.type === 'contact' ? doc.contact_type : doc.type;
  return typeof t === 'string' ? t : undefined;
}

/** How CHT stores a person of this type, or a refusal when it is not a person type. */
export function typeProperties(declared: DeclaredContactType[] | undefined, type: string): { type: string; contact_type?: string } {
  const custom = declared?.find((t) => t.id === type);
  const isPerson = custom ? custom.person === true || custom.id === 'person' : type === 'person';
  if (!isPerson) throw new Refused('invalid', `[${type}] is not a person type in CHT's contact_types (the inbound mapping's contact_type)`);
  return custom ? { type: 'contact', contact_type: type } : { type };
}

/** Refuses a parent CHT would refuse for this person type. */
export function assertParentAllowed(declared: DeclaredContactType[] | undefined, type: string, parent: ChtDoc): void {
  const parents = declared ? (declared.find((t) => t.id === type)?.parents ?? []) : DEFAULT_PERSON_PARENTS;
  const parentType = typeOf(parent);
  if (!parentType || !parents.includes(parentType))
    throw new Refused(
      'business-rule',
      `A ${type} cannot be placed under ${parent._id}: CHT allows parents of type ${parents.join(', ') || '(none)'}, not ${parentType}`,
    );
}

/** lineage.ts minify: only the `_id`s of the chain. */
export function minifiedLineage(doc: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  if (!doc || typeof doc._id !== 'string') return undefined;
  const parent = minifiedLineage(doc.parent as Record<string, unknown> | undefined);
  return parent ? { _id: doc._id, parent } : { _id: doc._id };
}

const OPTIONAL_STRINGS = ['phone', 'sex', 'patient_id'];

function assertPersonFields(values: Record<string, Primitive>, source: string): void {
  if (typeof values.name !== 'string' || !values.name.trim()) throw new Refused('required', `${source} gives no name: CHT needs a person's name`);
  for (const k of OPTIONAL_STRINGS)
    if (values[k] !== undefined && typeof values[k] !== 'string')
      throw new Refused('invalid', `${source}: CHT keeps a person's ${k} as text, got ${typeof values[k]}`);
}

/** A new person: the doc CHT's person API would have stored, under our deterministic `_id`. */
export function newPersonDoc(
  id: string,
  typeProps: { type: string; contact_type?: string },
  parent: ChtDoc,
  values: Record<string, Primitive>,
  fhirFields: Record<string, unknown>,
  source: string,
  now: number,
): ChtDoc {
  assertPersonFields(values, source);
  return { ...values, ...fhirFields, ...typeProps, _id: id, parent: minifiedLineage(parent), reported_date: now };
}

/**
 * The stored person with what the resource says now: mapped fields replaced
 * (a field the resource no longer gives is removed), everything CHT or its
 * users added kept, and what CHT's update refuses to change left as stored.
 */
export function updatedPersonDoc(
  stored: ChtDoc,
  mapped: string[],
  values: Record<string, Primitive>,
  fhirFields: Record<string, unknown>,
  source: string,
): ChtDoc {
  assertPersonFields(values, source);
  const doc: ChtDoc = { ...stored, ...values, ...fhirFields };
  for (const k of mapped) if (values[k] === undefined) delete doc[k];
  if (!('fhir_identifiers' in fhirFields)) delete doc.fhir_identifiers;
  for (const k of ['_id', '_rev', 'type', 'contact_type', 'reported_date', 'parent']) {
    if (k in stored) doc[k] = stored[k];
    else delete doc[k];
  }
  return doc;
}
