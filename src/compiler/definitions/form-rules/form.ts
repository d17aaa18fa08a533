import { EPOCH_MS } from '../../../core/model';
import type { FormModel, Shape } from '../../../core/model';
import { setLeaf, shapeOf } from '../shape';
import { concept, report, type FormContext } from './context';
import { checkAnswers, isPersonRef, leaf } from './fields';
import { place } from './who';

/** What the definition says of the form as a whole: its XForm, its fields' shape, its Encounter, its newborns. */

/** The XForm as CHT needs it, and the definition's `fields` list still naming its fields. */
export function checkForm(ctx: FormContext): void {
  const { def, xform, xml, problems } = ctx;
  if (!xform.hasInstanceId) problems.push(`${xml}: needs <meta><instanceID/></meta>`);
  if (xform.id !== def.form) problems.push(`${xml}: form id '${xform.id}' does not match the file name`);
  for (const name of Object.keys(def.fields ?? {})) {
    if (!xform.fields[name]) report(ctx, `/fields/${name}`, `not a field of ${xml} any more (remove it from the list)`);
  }
}

/** The fields' shape, with the fields the definition says hold epoch milliseconds or a file. */
export function formShape(ctx: FormContext): Shape {
  const { def, epochs } = ctx;
  const shape = shapeOf(ctx.xform);
  (def.epoch_ms ?? []).forEach((path, i) => {
    const f = leaf(ctx, path, `/epoch_ms/${i}`);
    if (f && ['int', 'decimal', 'string'].indexOf(f.type) < 0)
      report(ctx, `/epoch_ms/${i}`, `'${path}' is a ${f.type} field: epoch milliseconds are held in an int, decimal or text field`);
    if (f) setLeaf(shape, path, EPOCH_MS);
  });
  for (const [path, type] of Object.entries(def.attachments ?? {})) {
    const f = leaf(ctx, path, `/attachments/${path}`);
    if (f && f.type !== 'string') report(ctx, `/attachments/${path}`, `'${path}' is a ${f.type} field: a file is held in a text or binary field`);
    if (epochs.has(path)) report(ctx, `/attachments/${path}`, `'${path}' is listed in epoch_ms too`);
    if (f) setLeaf(shape, path, type);
  }
  return shape;
}

/** The Encounter's type and location, and the request the report fulfils. */
export function encounter(ctx: FormContext): Pick<FormModel, 'type' | 'location' | 'fulfils'> {
  const { def } = ctx;
  const out: Pick<FormModel, 'type' | 'location' | 'fulfils'> = {};
  if (def.encounter_type) out.type = concept(ctx, def.encounter_type, '/encounter_type');
  if (def.location) {
    const p = place(ctx, def.location, undefined, '/location');
    if (p) out.location = p;
  }
  if (def.fulfils) {
    leaf(ctx, def.fulfils.field, '/fulfils/field');
    out.fulfils = { field: def.fulfils.field };
    if (def.fulfils.status_field) {
      leaf(ctx, def.fulfils.status_field, '/fulfils/status_field');
      checkAnswers(ctx, def.fulfils.status_field, Object.keys(def.fulfils.statuses ?? {}), '/fulfils/statuses');
      out.fulfils.statusField = def.fulfils.status_field;
      out.fulfils.statuses = def.fulfils.statuses ?? {};
    }
  }
  return out;
}

/** The field holding each newborn's `_id`: a person's. */
export function newborns(ctx: FormContext, path: string): string {
  const f = leaf(ctx, path, '/newborns');
  if (f && !isPersonRef(ctx.xform, f)) report(ctx, '/newborns', `'${path}' holds no person's _id (a db-doc-ref to a person section, or a contact picker)`);
  return path;
}
