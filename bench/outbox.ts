import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { buildOutbox } from '../src/build/outbox';
import { startFhirServer } from '../src/fhir-server';
import { startReceiver, PUSH_PATH } from '../src/receiver';
import { benchPage } from './outbox-page';

export interface OutboxBench {
  records: number;
  baselineRawPutsPerSecond: number;
  enqueuesPerSecond: number;
  concurrentEnqueuesPerSecond: number;
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
  let result!: (r: Record<string, unknown>) => void;
  const got = new Promise<Record<string, unknown>>((resolve) => (result = resolve));
  const page = http.createServer((req, res) => {
    if (req.url === '/cht-fhir-outbox.js') return void res.writeHead(200, { 'content-type': 'text/javascript' }).end(code);
    if (req.url === '/result' && req.method === 'POST') {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      return void req.on('end', () => (res.writeHead(204).end(), result(JSON.parse(Buffer.concat(chunks).toString()))));
    }
    res.writeHead(200, { 'content-type': 'text/html' }).end(html);
  });
  await new Promise<void>((resolve) => page.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(page.address() as AddressInfo).port}`;
  const auth = { username: 'bench', password: 'bench-secret' };
  const receiver = await startReceiver({ fhirBaseUrl: fhir.url, auth, corsOrigins: [origin] });
  const html = benchPage({ pushUrl: receiver.url + PUSH_PATH, authorization: 'Basic ' + Buffer.from(`${auth.username}:${auth.password}`).toString('base64'), records: Number(process.env.N || RECORDS) });
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'outbox-bench-'));
  const chromium = spawn(process.env.CHROME_BIN || '/usr/bin/chromium', ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', `--user-data-dir=${profile}`, origin + "?b=" + (process.env.B || 50)], { stdio: 'ignore' });
  try {
    const r = await Promise.race([got, new Promise<never>((_, reject) => chromium.once('exit', (c) => reject(new Error(`chromium exited (${c}) before reporting`))))]);
    if (!r.ok) throw new Error(`outbox bench failed in the browser: ${String(r.error)}`);
    const stored = (await (await fetch(`${fhir.url}/Patient?_count=100000`)).json()) as { entry?: unknown[] };
    const n = r.records as number;
    const out: OutboxBench = {
      records: n,
      baselineRawPutsPerSecond: Math.round(n / ((r.rawMs as number) / 1000)),
      enqueuesPerSecond: Math.round(n / ((r.enqueueMs as number) / 1000)),
      concurrentEnqueuesPerSecond: Math.round(n / ((r.parallelMs as number) / 1000)),
      flushSeconds: Math.round(r.flushMs as number) / 1000,
      receiverSeconds: Math.round(r.receiverMs as number) / 1000,
      delivered: (r.flushed as { delivered: number }).delivered,
      storedInFhir: stored.entry?.length ?? 0,
    };
    log(`outbox (Chromium, ${n} records)`);
    log(`  baseline raw IndexedDB puts   ${out.baselineRawPutsPerSecond}/s`);
    log(`  enqueue, awaited one by one   ${out.enqueuesPerSecond}/s   (target >= 2000/s)`);
    log(`  enqueue, concurrent callers   ${out.concurrentEnqueuesPerSecond}/s`);
    log(`  flush ${out.delivered} to the receiver   ${out.flushSeconds} s   (target < 15 s; ${out.receiverSeconds} s waiting for the receiver; ${out.storedInFhir} Patients in the FHIR store)`);
    return out;
  } finally {
    chromium.kill();
    await new Promise((resolve) => (chromium.exitCode !== null ? resolve(null) : chromium.once('exit', resolve)));
    fs.rmSync(profile, { recursive: true, force: true, maxRetries: 5 });
    page.closeAllConnections();
    page.close();
    await receiver.close();
    await fhir.close();
  }
}
