import type http from 'node:http';
import { mapLimit, push } from '../receiver-stack';
import type { PushDoc } from './push-bundles';

export interface RetryLoopOptions {
  /** Pushes in flight at once (CHT's sentinel sends one after another; many CHTs or tabs overlap). */
  concurrency?: number;
  /** Bound on the rounds; CHT itself never gives up. */
  maxRounds?: number;
  /** Pause between rounds (CHT: 5 minutes); lets a restarting server come back within maxRounds. */
  pauseMs?: number;
  /** Called with each answer (the doc, its status and body text). */
  onAnswer?: (doc: PushDoc, status: number, text: string) => void;
}

export interface RetryLoopResult {
  left: PushDoc[];
  rounds: number;
  /** How many answers of each HTTP status (0: no answer). */
  statuses: Map<number, number>;
  /** docId -> the round (1-based) in which it was delivered. */
  deliveredIn: Map<string, number>;
}

/** CHT counts 2xx and 301-398 as delivered (shared-libs/outbound/src/outbound.js); anything else is retried. */
const chtDelivered = (status: number) => (status >= 200 && status < 300) || (status > 300 && status < 399);

/**
 * CHT's outbound queue in miniature: every failed push (non-2xx, timeout) is
 * retried on the next round until it succeeds (sentinel does this every 5
 * minutes, forever; here rounds follow each other after `pauseMs`).
 */
export async function chtRetryLoop(url: string, docs: PushDoc[], agent: http.Agent, opts: RetryLoopOptions = {}): Promise<RetryLoopResult> {
  let queue = docs;
  const statuses = new Map<number, number>();
  const deliveredIn = new Map<string, number>();
  let rounds = 0;
  const maxRounds = opts.maxRounds ?? 60;
  while (queue.length && rounds < maxRounds) {
    if (rounds > 0 && opts.pauseMs) await new Promise((ok) => setTimeout(ok, opts.pauseMs));
    rounds++;
    const results = await mapLimit(queue, opts.concurrency ?? 12, (d) =>
      push(url, d.body, agent).then(
        (r) => (opts.onAnswer?.(d, r.status, r.text), r.status),
        () => (opts.onAnswer?.(d, 0, ''), 0),
      ),
    );
    for (const s of results) statuses.set(s, (statuses.get(s) ?? 0) + 1);
    queue.forEach((d, i) => chtDelivered(results[i]) && deliveredIn.set(d.docId, rounds));
    queue = queue.filter((_d, i) => !chtDelivered(results[i]));
  }
  return { left: queue, rounds, statuses, deliveredIn };
}
