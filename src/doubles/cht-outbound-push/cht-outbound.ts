import vm from 'node:vm';
import type { ChtOutboundEntry as OutboundEntry, MappingValue } from '../../compiler/outbound';

/**
 * CHT's outbound push, as cht-core's shared-libs/outbound runs it, for
 * previews, the demo and tests: `relevant_to` and every `expr` in a fresh
 * sandbox with only `doc`; string values are object paths from `{doc}`;
 * destination keys are object paths (`a.b`, `obs.0.code`); a required value
 * that is undefined fails the push; `undefined` optional values are left out,
 * `null` is kept.
 */

export class OutboundMappingError extends Error {}

export type { OutboundEntry };

/** Object-path get: `doc.fields.x` from `{doc}`; numeric segments index arrays. */
export function getPath(root: unknown, path: string): unknown {
  let cur: unknown = root;
  for (const key of path.split('.')) {
    if (cur === null || cur === undefined) return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}

/** Object-path set: creates arrays where the next segment is an integer, objects elsewhere. */
function setPath(root: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  let cur: Record<string, unknown> = root;
  keys.forEach((key, i) => {
    if (i === keys.length - 1) {
      cur[key] = value;
      return;
    }
    if (cur[key] === undefined || cur[key] === null) cur[key] = /^\d+$/.test(keys[i + 1] ?? '') ? [] : {};
    cur = cur[key] as Record<string, unknown>;
  });
}

export function isRelevant(entry: Pick<OutboundEntry, 'relevant_to'>, doc: unknown): boolean {
  return Boolean(vm.runInNewContext(entry.relevant_to, { doc }));
}

/** The payload CHT would POST for this doc and entry, or an OutboundMappingError (CHT would queue a retry). */
export function mapPayload(entry: { mapping: Record<string, MappingValue> }, name: string, doc: { _id?: unknown }): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const dest of Object.keys(entry.mapping)) {
    const conf = entry.mapping[dest]!;
    const { path, expr, required } =
      typeof conf === 'string' ? { path: conf, expr: undefined, required: true } : { path: conf.path, expr: conf.expr, required: !conf.optional };
    let value: unknown;
    if (expr) {
      try {
        value = vm.runInNewContext(expr, { doc });
      } catch (err) {
        throw new OutboundMappingError(`Mapping error for '${name}/${dest}' JS error on source document: '${String(doc._id)}': ${String(err)}`);
      }
    } else if (path) {
      value = getPath({ doc }, path);
    } else {
      throw new OutboundMappingError(`Mapping error for '${name}/${dest}' either 'expr' or 'path' is required: '${String(doc._id)}'`);
    }
    if (required && value === undefined) {
      const problem = expr ? 'expr evaluated to undefined' : `cannot find '${path}' on source document`;
      throw new OutboundMappingError(`Mapping error for '${name}/${dest}' on source document '${String(doc._id)}': ${problem}`);
    }
    if (value !== undefined) setPath(out, dest, value);
  }
  // What goes over the wire is JSON: objects made in the sandbox become plain data.
  return JSON.parse(JSON.stringify(out)) as Record<string, unknown>;
}
