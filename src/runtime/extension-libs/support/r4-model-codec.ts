/**
 * A lossless, compact text form of the fhirpath R4 model maps (path2Type,
 * path2Repeating, choiceTypePaths): 0.5 MB of JSON become a tree text of
 * about a fifth of that, because most entries can be re-derived:
 * - children inherited from a base (Observation.meta from DomainResource,
 *   Observation.component.id from BackboneElement) are left out;
 * - the typed names of a choice (Observation.valueQuantity) come from the
 *   choice list (Observation.value: Quantity|CodeableConcept|...).
 * Only what differs from those rules is written. The encoder decodes its own
 * output and refuses to return anything that does not give the input back.
 *
 * Grammar: one text per root type (so a root can be decoded alone, when
 * first asked for); nodes separated by ',', children in '{...}'. A node is
 * `name`, then `*` (repeating), `:T` (type, T an index into the names table),
 * `<A|B>` (reference targets), `?A|B` (choice types) in that order; `-name`
 * removes a derived entry. Frequent node texts (`identifier*:a`) are then
 * written as `!` and their base-62 index in `dict`.
 */

export type TypeEntry = string | { code: string; refType: string[] };

export interface R4Maps {
  path2Type: Record<string, TypeEntry>;
  path2Repeating: string[];
  choiceTypePaths: Record<string, string[]>;
  type2Parent: Record<string, string>;
}

export interface CompactR4 {
  /** Every type, reference target and choice type name, most used first. */
  names: string[];
  /** Frequent node texts, space separated. */
  dict: string;
  /** type2Parent as `Type:parent,...`, the parent an index into names. */
  parents: string;
  /** The tree of each root type. */
  roots: string[];
}

const DIGITS = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
const base62 = (n: number): string => (n < 62 ? DIGITS.charAt(n) : base62(Math.floor(n / 62)) + DIGITS.charAt(n % 62));

/** Replaces node texts worth it by `!<index>`; most frequent first so they get the short indexes. */
function withDictionary(roots: string[]): { dict: string; roots: string[] } {
  const counts = new Map<string, number>();
  for (const t of roots.join(',').split(/[{},]+/)) if (t) counts.set(t, (counts.get(t) ?? 0) + 1);
  const ranked = [...counts].sort((a, b) => b[1] * b[0].length - a[1] * a[0].length || (a[0] < b[0] ? -1 : 1));
  const dict: string[] = [];
  const index = new Map<string, string>();
  for (const [t, n] of ranked) {
    const ref = '!' + base62(dict.length);
    if ((t.length - ref.length) * n - t.length - 1 <= 0) continue;
    index.set(t, ref);
    dict.push(t);
  }
  return { dict: dict.join(' '), roots: roots.map((r) => r.replace(/[^{},]+/g, (t) => index.get(t) ?? t)) };
}

function withoutDictionary(words: string[], text: string): string {
  return text.replace(/![0-9a-zA-Z]+/g, (ref) => {
    let n = 0;
    for (const c of ref.slice(1)) n = n * 62 + DIGITS.indexOf(c);
    return words[n] ?? ref;
  });
}

interface Entry {
  type?: TypeEntry;
  repeating?: boolean;
  choice?: string[];
}

const INHERITING_ELEMENTS = ['BackboneElement', 'Element'];

const codeOf = (t: TypeEntry) => (typeof t === 'string' ? t : t.code);
const same = (a: Entry | undefined, b: Entry | undefined) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
const lowerFirst = (s: string) => s.charAt(0).toLowerCase() + s.slice(1);

/** The FHIR type code a choice name stands for: `DateTime` -> `dateTime` when that is a known primitive. */
function choiceCode(name: string, type2Parent: Record<string, string>): string {
  const lower = lowerFirst(name);
  return lower !== name && lower in type2Parent ? lower : name;
}

/** Flat path -> entry map of everything the three maps say. */
function entriesOf(maps: R4Maps): Entries {
  const out: Entries = new Map<string, Entry>();
  const at = (p: string): Entry => {
    const e = out.get(p) ?? {};
    if (!out.has(p)) put(out, p, e);
    return e;
  };
  for (const [p, t] of Object.entries(maps.path2Type)) at(p).type = t;
  for (const p of maps.path2Repeating) at(p).repeating = true;
  for (const [p, c] of Object.entries(maps.choiceTypePaths)) at(p).choice = c;
  return out;
}

/** Entries a node gets without being told: its base's children, its choices' typed names. */
function derivedChildren(path: string, entry: Entry | undefined, entries: Entries, type2Parent: Record<string, string>): Map<string, Entry> {
  const out = new Map<string, Entry>();
  const root = !path.includes('.');
  const base = root ? type2Parent[path] : entry?.type !== undefined && INHERITING_ELEMENTS.includes(codeOf(entry.type)) ? codeOf(entry.type) : undefined;
  if (base) {
    for (const [name, e] of childrenOf(base, entries)) if (e.type !== undefined || e.repeating || e.choice) out.set(name, e);
    // A root also inherits what its base inherits (Observation <- DomainResource <- Resource).
    if (root) for (const [name, e] of derivedChildren(base, entries.get(base), entries, type2Parent)) if (!out.has(name)) out.set(name, e);
  }
  return out;
}

/** Direct children of `path`: entries keyed by parent path, kept in step with the flat map. */
type Entries = Map<string, Entry> & { kids?: Map<string, Map<string, Entry>> };

function put(entries: Entries, path: string, e: Entry): void {
  entries.set(path, e);
  const dot = path.lastIndexOf('.');
  if (dot < 0) return;
  const kids = (entries.kids ??= new Map<string, Map<string, Entry>>());
  const parent = path.slice(0, dot);
  const m = kids.get(parent) ?? new Map<string, Entry>();
  kids.set(parent, m);
  m.set(path.slice(dot + 1), e);
}

function childrenOf(path: string, entries: Entries): Map<string, Entry> {
  return new Map(entries.kids?.get(path) ?? []);
}

function choiceSiblings(name: string, e: Entry, type2Parent: Record<string, string>): Map<string, Entry> {
  const out = new Map<string, Entry>();
  for (const c of e.choice ?? []) out.set(name + c, { type: choiceCode(c, type2Parent) });
  return out;
}

export function encodeR4(maps: R4Maps): CompactR4 {
  const entries = entriesOf(maps);
  const counts = new Map<string, number>();
  const count = (s: string) => counts.set(s, (counts.get(s) ?? 0) + 1);
  for (const e of entries.values()) {
    if (e.type !== undefined) {
      count(codeOf(e.type));
      if (typeof e.type !== 'string') e.type.refType.forEach(count);
    }
    e.choice?.forEach(count);
  }
  for (const p of Object.values(maps.type2Parent)) count(p);
  const names = [...counts.keys()].sort((a, b) => (counts.get(b) as number) - (counts.get(a) as number) || (a < b ? -1 : 1));
  const index = new Map(names.map((n, i) => [n, i.toString(36)]));
  for (const n of names) if (/[^A-Za-z0-9.]/.test(n)) throw new Error(`r4 model: unexpected name '${n}'`);

  const node = (path: string): string => {
    const kids = childrenOf(path, entries);
    const derived = derivedChildren(path, entries.get(path), entries, maps.type2Parent);
    for (const [name, e] of kids) for (const [n, d] of choiceSiblings(name, e, maps.type2Parent)) derived.set(n, d);
    const parts: string[] = [];
    for (const name of [...derived.keys()]) if (!kids.has(name)) parts.push('-' + name);
    for (const [name, e] of kids) {
      const sub = node(path ? path + '.' + name : name);
      if (same(e, derived.get(name)) && !sub) continue;
      const d = derived.get(name);
      let s = name;
      if (!same(e, d)) {
        if (e.repeating) s += '*';
        if (e.type !== undefined)
          s += ':' + index.get(codeOf(e.type)) + (typeof e.type === 'string' ? '' : '<' + e.type.refType.map((r) => index.get(r)).join('|') + '>');
        if (e.choice) s += '?' + e.choice.map((c) => index.get(c)).join('|');
      } else s += '=';
      parts.push(sub ? s + '{' + sub + '}' : s);
    }
    return parts.join(',');
  };
  const roots = [...new Set([...entries.keys()].map((p) => p.split('.')[0]!))].map((r) => {
    const sub = node(r);
    return sub ? r + '{' + sub + '}' : r;
  });
  const parents = Object.entries(maps.type2Parent)
    .map(([t, p]) => t + ':' + index.get(p))
    .join(',');
  const compact = { names, parents, ...withDictionary(roots) };
  const back = decodeR4(compact);
  if (JSON.stringify(sorted(back)) !== JSON.stringify(sorted(maps))) throw new Error('r4 model: the compact form does not decode to the original');
  return compact;
}

function sorted(m: R4Maps) {
  const keys = <T>(o: Record<string, T>) =>
    Object.keys(o)
      .sort()
      .map((k) => [k, o[k]]);
  return [keys(m.path2Type), [...m.path2Repeating].sort(), keys(m.choiceTypePaths), keys(m.type2Parent)];
}

/** Every path of `compact`, decoded at once (the encoder's self-check, tests). */
export function decodeR4(compact: CompactR4): R4Maps {
  const { maps, decoder } = r4MapsDecoder(compact);
  decoder.openAll();
  return maps;
}

/** A decoder filling plain R4Maps with each root it decodes (tests open roots one by one). */
export function r4MapsDecoder(compact: CompactR4): { maps: R4Maps; decoder: R4Decoder } {
  const maps: R4Maps = { path2Type: {}, path2Repeating: [], choiceTypePaths: {}, type2Parent: {} };
  const decoder = r4Decoder(compact, (decoded) => {
    for (const [p, e] of decoded) {
      if (e.type !== undefined) maps.path2Type[p] = e.type;
      if (e.repeating) maps.path2Repeating.push(p);
      if (e.choice) maps.choiceTypePaths[p] = e.choice;
    }
  });
  maps.type2Parent = decoder.type2Parent;
  return { maps, decoder };
}

export interface R4Decoder {
  type2Parent: Record<string, string>;
  /** Decodes the paths of root type `root` (first those of the types it inherits from), once. */
  open(root: string): void;
  openAll(): void;
  /** The root types opened so far. */
  opened: ReadonlySet<string>;
}

/**
 * Decodes root types on demand: `open('Observation')` decodes
 * Observation.* (after DomainResource, Resource, BackboneElement, Element,
 * whose children it inherits) and hands each newly decoded root's entries to
 * `onDecoded`. A FHIRPath call then pays for the types it touches only.
 */
export function r4Decoder(compact: CompactR4, onDecoded: (entries: [string, Entry][]) => void): R4Decoder {
  const { names } = compact;
  const type2Parent: Record<string, string> = {};
  for (const pair of compact.parents.split(',')) {
    const [t = '', p = ''] = pair.split(':');
    type2Parent[t] = names[parseInt(p, 36)] ?? '';
  }
  const words = compact.dict ? compact.dict.split(' ') : [];
  const segments = new Map<string, string>();
  for (const text of compact.roots) {
    const head = /^[^{},]+/.exec(text)![0];
    segments.set(head.startsWith('!') ? withoutDictionary(words, head) : head, text);
  }
  const name = (i: string): string => {
    const n = names[parseInt(i, 36)];
    if (n === undefined) throw new Error(`r4 model: no name ${i}`);
    return n;
  };
  const entries: Entries = new Map<string, Entry>();
  const removed = new Set<string>();
  const opened = new Set<string>();

  const open = (root: string) => {
    if (opened.has(root)) return;
    opened.add(root);
    const segment = segments.get(root);
    if (segment === undefined) return;
    // What this root inherits from must be complete first.
    if (type2Parent[root]) open(type2Parent[root]);
    for (const base of INHERITING_ELEMENTS) open(base);
    const added: [string, Entry][] = [];
    const add = (path: string, e: Entry) => {
      put(entries, path, e);
      added.push([path, e]);
    };
    const order = readTree(withoutDictionary(words, segment), root, name, add, removed);
    fillDerived(order, entries, removed, type2Parent, add);
    // '=' marks a node that equals its derived entry but has explicit children.
    for (const p of order) if (!entries.has(p) && p.includes('.')) throw new Error(`r4 model: no entry for ${p}`);
    onDecoded(added);
  };
  return { type2Parent, open, openAll: () => segments.forEach((_t, root) => open(root)), opened };
}

const TREE = /(-?)([A-Za-z0-9_]+)(\*?)(=?)(?::([0-9a-z]+)(?:<([0-9a-z|]*)>)?)?(?:\?([0-9a-z|]+))?([{},]*)/y;

/**
 * Reads one root's tree: `add`s each explicit entry, notes `-` nodes in
 * `removed`, and returns the explicit nodes, parent before children, in
 * tree order.
 */
function readTree(tree: string, root: string, name: (i: string) => string, add: (path: string, e: Entry) => void, removed: Set<string>): string[] {
  const order: string[] = [];
  const stack: string[] = [];
  let m: RegExpExecArray | null;
  let last: string;
  TREE.lastIndex = 0;
  while (TREE.lastIndex < tree.length) {
    const at = TREE.lastIndex;
    if (!(m = TREE.exec(tree))) throw new Error(`r4 model: cannot read the tree of ${root} at ${at}: ${tree.slice(at, at + 40)}`);
    const [, minus, seg = '', star, eq, type, refs, choice, closers = ''] = m; // seg and closers always match
    const path = stack.length ? stack[stack.length - 1] + '.' + seg : seg;
    if (minus) removed.add(path);
    else {
      order.push(path);
      if (!eq && (star || type || choice || stack.length)) {
        const e: Entry = {};
        if (type) e.type = refs !== undefined ? { code: name(type), refType: refs ? refs.split('|').map(name) : [] } : name(type);
        if (star) e.repeating = true;
        if (choice) e.choice = choice.split('|').map(name);
        add(path, e);
      }
    }
    last = path;
    for (const c of closers) {
      if (c === '{') stack.push(last);
      else if (c === '}') last = stack.pop() as string;
    }
  }
  return order;
}

/** The entries each explicit node implies (inherited children, choice siblings), parents first so inherited bases are complete. */
function fillDerived(
  order: string[],
  entries: Entries,
  removed: Set<string>,
  type2Parent: Record<string, string>,
  add: (path: string, e: Entry) => void,
): void {
  const filled = new Set<string>();
  for (const path of order) {
    if (filled.has(path)) continue;
    filled.add(path);
    const derived = derivedChildren(path, entries.get(path), entries, type2Parent);
    for (const [n, e] of childrenOf(path, entries)) for (const [c, d] of choiceSiblings(n, e, type2Parent)) derived.set(c, d);
    for (const [n, d] of derived) {
      const p = path + '.' + n;
      if (!entries.has(p) && !removed.has(p)) add(p, d);
    }
  }
}
