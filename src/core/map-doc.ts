import type { Bundle, Resource } from 'fhir/r4';
import type { MappingModel } from './model';
import { type Doc, isObject, own, text } from './values';
import { contactResource, contactResources, contactType } from './contacts';
import { reportResources } from './report';
import { transaction } from './bundle';
import { MappingError } from './errors';

/** The FHIR resources of one CHT doc (report or contact). */
export function docResources(model: MappingModel, doc: unknown): Resource[] {
  if (!isObject(doc)) throw new MappingError('the doc is not an object');
  if (doc.type === 'data_record') {
    const form = text(doc.form);
    const def = form === undefined ? undefined : own(model.forms, form);
    if (!def) throw new MappingError(`report ${String(doc._id)}: no mapping for form '${form ?? ''}'`);
    return reportResources(model, def, doc);
  }
  if (contactResource(model.contacts, doc)) return contactResources(model.deployment, model.contacts, doc);
  throw new MappingError(`doc ${String(doc._id)}: neither a mapped report nor a contact`);
}

/** The transaction Bundle CHT pushes for one doc. A pure function of the (hydrated) doc. */
export function mapDoc(model: MappingModel, doc: unknown): Bundle {
  const resources = docResources(model, doc);
  return transaction(model.deployment, String((doc as Doc)._id), resources);
}
