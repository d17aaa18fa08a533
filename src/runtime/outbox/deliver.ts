import { sourceVersionUrl, withSourceVersion } from '../../core/source-version';
import type { OutboxContext, RunLink } from './context';
import { describe, OutboxAuthError, RetryLater } from './errors';
import { confirmAndRead } from './batch-store';
import type { Sent } from './pipeline';
import { quarantineRows } from './quarantine';
import type { OutboxRecord } from './records';
import { postTransaction, type Answer } from './send';
import { entryReason, judgeAnswer, type EntryVerdict } from './transaction';
import { DEFAULT_TIMEOUT_MS } from './options';

type Settled = { delivered: number; quarantined: number };

/**
 * Posts one ordered batch, each resource stamped with its version, and acts
 * on the answer. A fully accepted batch is left for the caller to confirm.
 * When the receiver refuses entries and names them (`Bundle.entry[i]` in
 * its OperationOutcome), exactly those are quarantined and the rest is sent
 * again at once; a refusal naming none is split until isolated (a receiver
 * outside this project's contract). Throws `RetryLater` or `OutboxAuthError`
 * when the flush must stop.
 */
export async function sendBatch(ctx: OutboxContext, link: RunLink, batch: OutboxRecord[]): Promise<Sent> {
  await link.renew();
  ctx.emit('sending', { keys: batch.map((r) => r.key) });
  const { status, body } = await post(ctx, batch);
  const answer = judgeAnswer(status, body, batch.length);
  switch (answer.kind) {
    case 'entries':
      link.progressed();
      return answer.verdicts.every((x) => x === 'confirmed') ? 'accepted' : settle(ctx, batch, answer.verdicts, body);
    case 'auth':
      throw new OutboxAuthError(status, answer.reason);
    case 'retry':
      throw new RetryLater(answer.reason);
    case 'refused': {
      const refused = answer.named.size ? batch.filter((_r, i) => answer.named.has(i)) : batch;
      const quarantined = await quarantineRows(
        ctx,
        [],
        refused.map((r) => ({ key: r.key, rev: r.rev, value: r, reason: answer.named.get(batch.indexOf(r)) ?? answer.reason })),
      );
      const rest = batch.filter((r) => !refused.includes(r));
      return sum({ delivered: 0, quarantined }, rest.length ? await deliver(ctx, link, rest) : undefined);
    }
    case 'split': {
      const half = Math.ceil(batch.length / 2);
      const a = await deliver(ctx, link, batch.slice(0, half));
      return sum(a, await deliver(ctx, link, batch.slice(half)));
    }
  }
}

/** The request itself; no answer at all (network, timeout) is worth a retry, unless the outbox closed. */
async function post(ctx: OutboxContext, batch: OutboxRecord[]): Promise<Answer> {
  const { opts } = ctx;
  const url = sourceVersionUrl(opts.canonicalBase);
  try {
    return await postTransaction(
      batch.map((r) => withSourceVersion(r.resource, { source: `urn:uuid:${ctx.id}`, version: r.rev }, url)),
      {
        endpoint: opts.endpoint,
        headers: opts.headers,
        fetch: opts.fetch ?? globalThis.fetch.bind(globalThis),
        timeoutMs: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS,
        signal: ctx.signal,
      },
    );
  } catch (e) {
    throw ctx.closed() ? e : new RetryLater(`no answer from the receiver: ${describe(e)}`);
  }
}

/** Sends and settles one batch on its own (the parts of a split batch). */
async function deliver(ctx: OutboxContext, link: RunLink, batch: OutboxRecord[]): Promise<Settled> {
  const sent = await sendBatch(ctx, link, batch);
  if (sent !== 'accepted') return sent;
  return settle(
    ctx,
    batch,
    batch.map(() => 'confirmed'),
    undefined,
  );
}

/** Applies per-entry verdicts of a 2xx answer: confirmed entries leave the queue, rejected ones go to the quarantine. */
async function settle(ctx: OutboxContext, batch: OutboxRecord[], v: EntryVerdict[], body: unknown): Promise<Settled> {
  if (ctx.closed()) throw new Error('outbox closed');
  const confirmed = batch.filter((_, i) => v[i] === 'confirmed');
  const { removed, replaced } = await confirmAndRead(ctx.db, confirmed, undefined, 0);
  if (removed.length || replaced.length) ctx.emit('delivered', { keys: removed, replaced });
  const refused = batch.flatMap((r, i) => (v[i] === 'rejected' ? [{ key: r.key, value: r, rev: r.rev, reason: entryReason(body, i) }] : []));
  const quarantined = await quarantineRows(ctx, [], refused);
  if (v.includes('retry')) throw new RetryLater('the receiver failed some entries of a batch');
  return { delivered: removed.length, quarantined };
}

function sum(a: Settled, b: Settled | undefined): Settled {
  return b ? { delivered: a.delivered + b.delivered, quarantined: a.quarantined + b.quarantined } : a;
}
