import type { Bundle, Resource } from 'fhir/r4';
import type { MappingModel } from './model';
import { type Doc, isObject, own, text } from './values';
import { contactResource, contactResources } from './contacts';
import { reportResources } from './report';
import { transaction } from './bundle';
import { MappingError } from './mapping-error';
import { systems } from './identity';
import { revSequence, withSourceVersion } from './source-version';
import { hasStatement, stampStatement } from './statement';

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
  const resources = versioned(model, doc as Doc, docResources(model, doc));
  return transaction(model.deployment, String((doc as Doc)._id), resources);
}

/**
 * Stamps each resource with the source version of the doc it was made from
 * (`<cht-uuid system>/<doc _id>#<_rev sequence>`, source-version.ts): the doc
 * named by its CHT identifier when the hydrated doc holds it (a contact
 * inside a report), else the pushed doc. The receiver then never lets a late
 * or replayed push of an older rev replace a newer one. A doc without `_rev`
 * (a preview, a test) gives unversioned resources. Cost: `_rev` is in the
 * payload, so CHT re-pushes a doc on every edit of it, even one that changes
 * no mapped field (the receiver then only moves the version on).
 */
function versioned(model: MappingModel, doc: Doc, resources: Resource[]): Resource[] {
  const revs = new Map<string, number>();
  collectRevs(doc, revs, 0);
  const system = systems(model.deployment).chtId;
  const extensionUrl = systems(model.deployment).sourceVersion;
  const self = String(doc._id);
  return resources.map((r) => {
    // Written by several reports: the report's statement names it and its version (statement.ts).
    if (hasStatement(r)) return stampStatement(r, `${system}/${self}`, revs.get(self) ?? 0);
    // identifier is a list on most resources, one Identifier on some (QuestionnaireResponse).
    const ids: unknown[] = [(r as { identifier?: unknown }).identifier].flat();
    const cht = (ids.find((i) => isObject(i) && i.system === system) as { value?: string } | undefined)?.value;
    const docId = cht !== undefined && revs.has(cht) ? cht : self;
    const version = revs.get(docId);
    return version === undefined ? r : withSourceVersion(r, { source: `${system}/${docId}`, version }, extensionUrl);
  });
}

/** `_id` -> `_rev` sequence of the doc and every hydrated doc in it (contact, patient, place, their parents). */
function collectRevs(doc: unknown, out: Map<string, number>, depth: number): void {
  if (!isObject(doc) || depth > 16) return;
  const seq = revSequence(doc._rev);
  if (typeof doc._id === 'string' && seq !== undefined && !out.has(doc._id)) out.set(doc._id, seq);
  for (const k of ['contact', 'patient', 'place', 'parent']) collectRevs(doc[k], out, depth + 1);
}
