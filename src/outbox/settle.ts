import type { OutboxRecord } from './records';

/**
 * Which sent records may leave the queue, given the versions stored now:
 * one still at the rev that was sent (or already gone) is removed; one
 * replaced while in flight stays, and its current version must go again.
 */
export function splitConfirmed(sent: readonly OutboxRecord[], current: readonly unknown[]): { removed: string[]; deletes: string[]; replaced: string[]; redo: unknown[] } {
  const byKey = new Map<unknown, unknown>();
  for (const v of current) byKey.set((v as { key?: unknown } | null)?.key, v);
  const removed: string[] = [];
  const deletes: string[] = [];
  const replaced: string[] = [];
  const redo: unknown[] = [];
  for (const r of sent) {
    const now = byKey.get(r.key);
    if (now !== undefined && (now as Partial<OutboxRecord>).rev !== r.rev) {
      replaced.push(r.key);
      redo.push(now);
    } else {
      removed.push(r.key);
      if (now !== undefined) deletes.push(r.key);
    }
  }
  return { removed, deletes, replaced, redo };
}
