import type { OutboxContext, RunLink } from './context';
import { describe, OutboxAuthError, RetryLater, storageFailure } from './errors';
import { confirmAndRead, readAfter } from './batch-store';
import { sendBatch } from './deliver';
import { DEFAULT_BATCH_SIZE } from './options';
import { pipelinedFlush } from './pipeline';
import { quarantineRows, sweepQueue } from './quarantine';
import { countRecords } from './store';

export interface FlushResult {
  delivered: number;
  quarantined: number;
  /** Records still queued when the flush ended. */
  remaining: number;
  /** Why the flush stopped early on a transient failure (the outbox retries by itself), if it did. */
  error?: string;
}

/** How a run ended, for what follows it: `failedOver` when it stopped on a delivery failure worth retrying. */
export interface RunMark {
  failedOver: boolean;
}

/**
 * One flush: the pipelined send loop over the queue's database, then a sweep
 * for rows left behind. A transient delivery failure ends it with `error`
 * set (and `mark.failedOver`); it rejects on refused credentials and on
 * storage failures (also reported as the 'error' event).
 */
export async function runFlush(ctx: OutboxContext, link: RunLink, mark: RunMark): Promise<FlushResult> {
  const result: FlushResult = { delivered: 0, quarantined: 0, remaining: 0 };
  const size = ctx.opts.batchSize ?? DEFAULT_BATCH_SIZE;
  const failed = (e: unknown) => storageFailure(e, (d) => ctx.emit('error', d));
  try {
    await pipelinedFlush(
      {
        batchSize: size,
        closed: ctx.closed,
        read: (after, limit) => readAfter(ctx.db, after, limit),
        confirmAndRead: (sent, after, limit) => confirmAndRead(ctx.db, sent, after, limit),
        send: (batch) => sendBatch(ctx, link, batch),
        quarantine: (bad) => quarantineRows(ctx, bad),
        delivered: (keys, replaced) => ctx.emit('delivered', { keys, replaced }),
      },
      result,
    );
    result.quarantined += await sweepQueue(ctx);
    link.progressed();
    ctx.emit('idle', {});
  } catch (e) {
    result.error = describe(e);
    if (e instanceof RetryLater) mark.failedOver = true;
    else if (e instanceof OutboxAuthError) throw e;
    else if (!ctx.closed()) throw failed(e);
  }
  try {
    result.remaining = ctx.closed() ? 0 : await countRecords(ctx.db);
  } catch (e) {
    // Not "0 remaining": a caller would believe the queue is empty.
    throw failed(e);
  }
  return result;
}
