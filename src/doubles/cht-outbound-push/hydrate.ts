/**
 * Hydration as CHT does it before outbound push (shared-libs/lineage): the
 * submitter `contact` and the parent chain become full docs, and a report gets
 * `patient` (from fields.patient_id / patient_uuid / patient_id, uuid or
 * shortcode) and `place` (fields.place_id / place_id). For previews and the
 * demo, where there is no CouchDB: docs come from a list.
 */
type Doc = Record<string, unknown> & { _id?: string };

export function hydrate(doc: Doc, all: Doc[]): Doc {
  const byId = new Map<string, Doc>();
  const byShortcode = new Map<string, Doc>();
  for (const d of all) {
    if (typeof d._id === 'string') byId.set(d._id, d);
    for (const k of ['patient_id', 'place_id']) if (typeof d[k] === 'string') byShortcode.set(d[k], d);
  }
  const find = (ref: unknown): Doc | undefined => (typeof ref === 'string' ? (byId.get(ref) ?? byShortcode.get(ref)) : undefined);

  const lineage = (stub: unknown, depth = 0): unknown => {
    if (!stub || typeof stub !== 'object' || depth > 20) return stub;
    const s = stub as Doc;
    const full = find(s._id) ?? s;
    return { ...full, parent: lineage(full.parent, depth + 1) };
  };

  const out = JSON.parse(JSON.stringify(doc)) as Doc;
  if (out.parent) out.parent = lineage(out.parent);
  if (out.contact) out.contact = lineage(out.contact);
  if (out.type === 'data_record') {
    const f = (out.fields ?? {}) as Doc;
    const patient = find(f.patient_id) ?? find(f.patient_uuid) ?? find(out.patient_id);
    if (patient) out.patient = lineage(patient);
    const place = find(f.place_id) ?? find(out.place_id);
    if (place) out.place = lineage(place);
  }
  return out;
}
