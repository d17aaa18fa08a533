import { buildOutbox } from '../src/compiler/outbox';
import { startFhirServer } from '../src/doubles/fhir-store';
import { startReceiver, PUSH_PATH } from '../src/runtime/receiver';
import { benchPage } from './outbox-page';
import { chromiumPage } from './chromium-page';

export interface OutboxBench {
  records: number;
  baselineRawPutsPerSecond: number;
  /** Raw puts, 500 per transaction. */
  baselineRawBatchedPutsPerSecond: number;
  enqueuesPerSecond: number;
  /** enqueue / raw single-put transactions, measured in the same page (target >= 0.8). */
  enqueueRatio: number;
  /** enqueueMany / raw batched puts (target >= 0.8). */
  enqueueManyRatio: number;
  concurrentEnqueuesPerSecond: number;
  /** enqueueMany, 500 resources per call. */
  enqueueManyPerSecond: number;
  flushSeconds: number;
  /** Part of the flush spent waiting for the receiver's answers. */
  receiverSeconds: number;
  delivered: number;
  storedInFhir: number;
}

const RECORDS = 10_000;

/**
 * Enqueue throughput and the time to flush 10,000 records to the real
 * receiver (and its in-memory FHIR store), measured in headless Chromium
 * against the built module; beside raw IndexedDB puts as a baseline.
 */
export async function benchOutbox(log: (line: string) => void = console.log): Promise<OutboxBench> {
  const code = await buildOutbox();
  const fhir = await startFhirServer();
  const page = await chromiumPage({ '/cht-fhir-outbox.js': { type: 'text/javascript', body: code } });
  const auth = { username: 'bench', password: 'bench-secret' };
  const receiver = await startReceiver({ fhirBaseUrl: fhir.url, auth, corsOrigins: [page.origin] });
  const html = benchPage({
    pushUrl: receiver.url + PUSH_PATH,
    authorization: 'Basic ' + Buffer.from(`${auth.username}:${auth.password}`).toString('base64'),
    records: Number(process.env.N || RECORDS),
  });
  try {
    const r = await page.run(html, '?b=' + (process.env.B || 50));
    const stored = (await (await fetch(`${fhir.url}/Patient?_count=100000`)).json()) as { entry?: unknown[] };
    const n = r.records as number;
    const out: OutboxBench = {
      records: n,
      baselineRawPutsPerSecond: Math.round(n / ((r.rawMs as number) / 1000)),
      baselineRawBatchedPutsPerSecond: Math.round(n / ((r.rawManyMs as number) / 1000)),
      enqueuesPerSecond: Math.round(n / ((r.enqueueMs as number) / 1000)),
      enqueueRatio: Math.round(((r.rawMs as number) / (r.enqueueMs as number)) * 100) / 100,
      enqueueManyRatio: Math.round(((r.rawManyMs as number) / (r.manyMs as number)) * 100) / 100,
      concurrentEnqueuesPerSecond: Math.round(n / ((r.parallelMs as number) / 1000)),
      enqueueManyPerSecond: Math.round(n / ((r.manyMs as number) / 1000)),
      flushSeconds: Math.round(r.flushMs as number) / 1000,
      receiverSeconds: Math.round(r.receiverMs as number) / 1000,
      delivered: (r.flushed as { delivered: number }).delivered,
      storedInFhir: stored.entry?.length ?? 0,
    };
    log(`outbox (Chromium, ${n} records)`);
    log(
      `  baseline raw IndexedDB puts   ${out.baselineRawPutsPerSecond}/s   (${(1000 / out.baselineRawPutsPerSecond).toFixed(2)} ms per one-put transaction, default durability, resolved on commit: the ceiling for anything awaiting its own commit)`,
    );
    log(`  baseline raw puts, 500 per tx ${out.baselineRawBatchedPutsPerSecond}/s`);
    log(`  enqueue, awaited one by one   ${out.enqueuesPerSecond}/s   (${out.enqueueRatio}x the raw single-put transaction; target >= 0.8x)`);
    log(`  enqueue, concurrent callers   ${out.concurrentEnqueuesPerSecond}/s   (group commit)`);
    log(`  enqueueMany, 500 per call     ${out.enqueueManyPerSecond}/s   (${out.enqueueManyRatio}x raw batched puts; target >= 0.8x)`);
    log(
      `  flush ${out.delivered} to the receiver   ${out.flushSeconds} s   (target < 15 s; ${out.receiverSeconds} s waiting for the receiver; ${out.storedInFhir} Patients in the FHIR store)`,
    );
    return out;
  } finally {
    await page.close();
    await receiver.close();
    await fhir.close();
  }
}
