import type { Extension, Resource } from 'fhir/r4';
import { isObject } from './values';

/**
 * A resource several reports write (an episode of care, a pregnancy
 * Condition: onset from the registration, abatement from the delivery)
 * carries one *statement* per report that wrote it: which report (source,
 * version), its clinical time, and the slots of the resource it owns. A
 * pushed resource carries its report's statement alone, claiming the slots
 * that report states; the receiver merges it into the stored resource:
 * - a slot another report owns is taken only by a report later in clinical
 *   time (slots of first things, such as onset, by an earlier one); a tie
 *   goes to the greater source, so every order of arrival ends the same;
 * - a newer version of the same report replaces its own statement; a slot it
 *   no longer claims is emptied (what another report said there before is
 *   not known any more: a documented limit);
 * - an older or the same version of a report changes nothing: it loses every
 *   slot to its own newer version or to a report later in time (a statement
 *   that owns nothing is not kept, so a resource many reports write stays
 *   small; the price: a replayed old version of a report whose edit dropped
 *   a slot can take that slot back);
 * - what a pushed resource holds without claiming it (a default that keeps a
 *   resource valid when it arrives first, such as a follow-up's episode
 *   status) fills only a slot nobody owns and the stored resource lacks.
 * A slot is a top-level element, with elements that must change together
 * grouped (a Condition's clinical status and abatement: FHIR con-4).
 */
export const STATEMENT_PATH = '/StructureDefinition/statement';
/** Under the deployment's canonical base (identity.ts `systems().statement`); the receiver, which serves any deployment, knows it by its path. */
const STATEMENT_URL = /^(https?|urn):\S+\/StructureDefinition\/statement$/;
const isStatement = (e: unknown): boolean => isObject(e) && typeof e.url === 'string' && STATEMENT_URL.test(e.url);

export interface Statement {
  /** The extension's URL (the deployment's). */
  url: string;
  /** Who stated it: a URI naming the report (`<cht-uuid system>/<doc _id>`). */
  source: string;
  /** The report's `_rev` sequence (0 when unknown). */
  version: number;
  /** Clinical time of the report (ISO dateTime). */
  time: string;
  /** Slots it owns (pushed: claims). */
  slots: string[];
}

/** Slots whose first statement in clinical time stands; every other slot takes the latest. */
const EARLIEST = new Set(['onset', 'recordedDate', 'period.start']);

/** Elements that change together, by resource type: element -> slot. */
const GROUPS: Record<string, Record<string, string>> = {
  Condition: {
    clinicalStatus: 'status',
    abatementDateTime: 'status',
    abatementAge: 'status',
    abatementPeriod: 'status',
    abatementRange: 'status',
    abatementString: 'status',
    onsetDateTime: 'onset',
    onsetAge: 'onset',
    onsetPeriod: 'onset',
    onsetRange: 'onset',
    onsetString: 'onset',
  },
  EpisodeOfCare: { status: 'status', 'period.end': 'status' },
};
/** Elements split one level down, so two reports can own their parts (an episode's start and end). */
const SPLIT: Record<string, string[]> = { EpisodeOfCare: ['period'] };
const NOT_ELEMENTS = new Set(['resourceType', 'id', 'meta', 'extension']);

export function slotOf(type: string, element: string): string {
  return GROUPS[type]?.[element] ?? element;
}

/** `resource` with the statement of an unversioned report (`stampStatement` adds the source when known); `url` from identity.ts `systems().statement`. */
export function withClaims<T extends Resource>(resource: T, url: string, claims: string[], time: string): T {
  const ext: Extension = { url, extension: [{ url: 'time', valueDateTime: time }, ...[...new Set(claims)].sort().map((s) => slotExt(s))] };
  return { ...resource, extension: [...((resource as { extension?: Extension[] }).extension ?? []), ext] };
}

/** Puts `source` and `version` into the pending statement of a resource made by `withClaims`. */
export function stampStatement<T extends Resource>(resource: T, source: string, version: number): T {
  const exts = (resource as { extension?: Extension[] }).extension ?? [];
  return {
    ...resource,
    extension: exts.map((e) =>
      isStatement(e) ? { ...e, extension: [{ url: 'source', valueUri: source }, { url: 'version', valueInteger: version }, ...(e.extension ?? [])] } : e,
    ),
  };
}

/** Whether `statementsOf(resource)` is not empty; without parsing, as the outbound push asks it of every resource it sends. */
export function hasStatement(resource: unknown): boolean {
  return isObject(resource) && Array.isArray(resource.extension) && resource.extension.some((e) => isStatement(e) && Array.isArray((e as Extension).extension));
}

export function statementsOf(resource: unknown): Statement[] {
  const exts = isObject(resource) && Array.isArray(resource.extension) ? (resource.extension as unknown[]) : [];
  const out: Statement[] = [];
  for (const e of exts) {
    if (!isObject(e) || !isStatement(e) || !Array.isArray(e.extension)) continue;
    const parts = e.extension as Extension[];
    const one = (url: string) => parts.find((p) => p?.url === url);
    out.push({
      url: e.url as string,
      source: one('source')?.valueUri ?? '',
      version: one('version')?.valueInteger ?? 0,
      time: one('time')?.valueDateTime ?? '',
      slots: parts.filter((p) => p?.url === 'slot' && typeof p.valueCode === 'string').map((p) => p.valueCode!),
    });
  }
  return out;
}

export type MergeDecision = 'write' | 'unchanged' | 'superseded';

/** The stored resource with the pushed one's statement merged in (see above); `resource` is what to store. */
export function mergeStatement(stored: Resource, pushed: Resource): { decision: MergeDecision; resource: Resource; asBefore?: Resource } {
  const incoming = statementsOf(pushed)[0];
  if (!incoming) return { decision: 'write', resource: pushed };
  const held = statementsOf(stored);
  const previous = held.find((s) => s.source === incoming.source);
  // Version 0 is unknown (a doc pushed without `_rev`): merged again, never taken for a repeat.
  if (previous && incoming.version > 0 && previous.version > incoming.version) return { decision: 'superseded', resource: stored };
  if (previous && incoming.version > 0 && previous.version === incoming.version) return { decision: 'unchanged', resource: stored };
  const type = pushed.resourceType;
  const others = held.filter((s) => s !== previous).map((s) => ({ ...s, slots: [...s.slots] }));
  const owner = new Map<string, Statement>();
  for (const s of others) for (const slot of s.slots) owner.set(slot, s);
  const out = elements(stored);
  const mine = elements(pushed);
  const clear = (slot: string) => {
    for (const k of [...out.keys()]) if (slotOf(type, k) === slot) out.delete(k);
  };
  for (const slot of previous?.slots ?? []) clear(slot);
  const won: string[] = [];
  for (const slot of incoming.slots) {
    const o = owner.get(slot);
    if (o && !wins(incoming, o, slot)) continue;
    clear(slot);
    for (const [k, v] of mine) if (slotOf(type, k) === slot) out.set(k, v);
    if (o) o.slots = o.slots.filter((s) => s !== slot);
    owner.set(slot, incoming);
    won.push(slot);
  }
  for (const [k, v] of mine) if (!out.has(k) && !owner.has(slotOf(type, k))) out.set(k, v);
  // A statement that owns nothing is dropped: the resource stays as small as its slots, however many reports wrote it.
  const statements = [...others, { ...incoming, slots: won }]
    .filter((st) => st.slots.length)
    .sort((a, b) => (a.source < b.source ? -1 : a.source > b.source ? 1 : 0));
  const otherExts = ((stored as { extension?: Extension[] }).extension ?? []).filter((e) => !isStatement(e));
  const resource = { resourceType: type, id: stored.id ?? pushed.id, ...build(type, out) } as Resource;
  const exts = [...otherExts, ...statements.map(statementExt)];
  if (exts.length) (resource as { extension?: Extension[] }).extension = exts;
  // The very next version of a report: the same resource with its previous version tells whether only that moved.
  if (!previous || incoming.version !== previous.version + 1) return { decision: 'write', resource };
  const before = (st: Statement) => (st.source === incoming.source ? { ...st, version: previous.version } : st);
  const asBefore = { ...resource, extension: [...otherExts, ...statements.map(before).map(statementExt)] } as Resource;
  return { decision: 'write', resource, asBefore };
}

function wins(a: Statement, b: Statement, slot: string): boolean {
  const at = Date.parse(a.time);
  const bt = Date.parse(b.time);
  if (at !== bt) return EARLIEST.has(slot) ? at < bt : at > bt;
  return a.source > b.source;
}

/** Top-level elements (split ones one level down), by path. */
function elements(r: Resource): Map<string, unknown> {
  const out = new Map<string, unknown>();
  const split = SPLIT[r.resourceType] ?? [];
  for (const [k, v] of Object.entries(r)) {
    if (NOT_ELEMENTS.has(k)) continue;
    if (split.includes(k) && isObject(v)) for (const [sub, sv] of Object.entries(v)) out.set(`${k}.${sub}`, sv);
    else out.set(k, v);
  }
  return out;
}

function build(type: string, els: Map<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of [...els.keys()].sort()) {
    const dot = k.indexOf('.');
    if (dot > 0 && (SPLIT[type] ?? []).includes(k.slice(0, dot))) {
      const parent = (out[k.slice(0, dot)] ??= {}) as Record<string, unknown>;
      parent[k.slice(dot + 1)] = els.get(k);
    } else out[k] = els.get(k);
  }
  return out;
}

function slotExt(slot: string): Extension {
  return { url: 'slot', valueCode: slot };
}

function statementExt(s: Statement): Extension {
  return {
    url: s.url,
    extension: [
      { url: 'source', valueUri: s.source },
      { url: 'version', valueInteger: s.version },
      { url: 'time', valueDateTime: s.time },
      ...[...s.slots].sort().map(slotExt),
    ],
  };
}
