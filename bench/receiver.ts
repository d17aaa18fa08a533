import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { patientDoc, reportDoc } from '../harness/stand-ins/push-bundles';
import { buildReceiver } from '../src/compiler/package';

/**
 * Receiver throughput and latency at 1, 10 and 50 concurrent clients, beside
 * a baseline forwarder (plain POST, no checks) fed the same payloads, in the
 * topology of a deployment: each server is its own process and reaches its
 * FHIR server over HTTP (FHIR_BASE_URL), here the embedded store in a
 * process of its own (bench/fhir-store-process.ts; HAPI is bench/hapi.ts),
 * so RSS and CPU are the server's own; this process only generates load. The
 * `receiver` row is `dist/receiver/receiver.js` as `npm run compile` builds
 * it (built here first). Every level gets fresh docs (first delivery, the
 * expensive path); a final run repeats docs already delivered.
 */
const ROOT = path.resolve(__dirname, '..');
const USER = 'bench';
const PASS = 'bench-password';
/** Issue 14: at 50 clients, the compiled receiver (its own process, FHIR server over HTTP). */
const TARGET = { perSecond: 300, p99ms: 250, rssMB: 150 };
/** Where the bench builds the compiled receiver. */
const BUILD_DIR = path.join(ROOT, '.build/bench-receiver');
const LEVELS: [number, number][] = [
  [1, 400],
  [10, 2000],
  [50, 3000],
];

const SERVERS = ['receiver', 'baseline'] as const;
type Server = (typeof SERVERS)[number];

export interface LevelResult {
  server: Server;
  concurrency: number;
  pushes: number;
  perSecond: number;
  p50ms: number;
  p99ms: number;
  errors: number;
  /** CPU time (user + system) of the server process per push: steadier than pushes/s when the machine is shared. */
  cpuMsPerPush: number;
}

export async function benchReceiver(): Promise<{ levels: LevelResult[]; rssMB: Record<string, { now: number; peak: number }> }> {
  const rssMB: Record<string, { now: number; peak: number }> = {};
  await buildReceiver(BUILD_DIR);
  // All servers up at once, and each level run on each server back to back, so
  // a machine that slows down mid-run (shared cores) skews the ratios least.
  const procs = await Promise.all(SERVERS.map(async (server) => ({ server, ...(await startServer(server)) })));
  const results = new Map<Server, LevelResult[]>(SERVERS.map((s) => [s, []]));
  try {
    const pids = procs.map((p) => nodePid(p.child.pid!));
    // Warm-up (JIT, sockets), not reported: otherwise the first row measures compilation.
    const warm = Array.from({ length: 300 }, (_x, i) => (i % 2 ? reportDoc : patientDoc)(1 + (i >> 1)));
    for (const [i, p] of procs.entries()) await load(p.url, warm, 10, pids[i]);
    let offset = 0;
    const rounds: { docs: { body: unknown }[]; concurrency: number }[] = [];
    for (const [concurrency, pushes] of LEVELS) {
      rounds.push({ concurrency, docs: Array.from({ length: pushes }, (_x, i) => (i % 2 ? reportDoc : patientDoc)(100000 + offset + (i >> 1))) });
      offset += pushes;
    }
    // Repeats: the last level's docs again at 50 (what CHT retries look like).
    rounds.push({ concurrency: 50, docs: rounds[rounds.length - 1].docs });
    for (const round of rounds) {
      for (const [i, p] of procs.entries()) results.get(p.server)!.push({ server: p.server, ...(await load(p.url, round.docs, round.concurrency, pids[i])) });
    }
    for (const p of procs) rssMB[p.server] = memory(p.child.pid!);
  } finally {
    for (const p of procs) for (const c of [p.child, p.store]) c.kill('SIGTERM');
  }
  const levels = SERVERS.flatMap((s) => results.get(s)!);
  printTable(levels, rssMB);
  return { levels, rssMB };
}

async function load(url: string, docs: { body: unknown }[], concurrency: number, pid: number): Promise<Omit<LevelResult, 'server'>> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const bodies = docs.map((d) => JSON.stringify(d.body));
  const latencies: number[] = [];
  let errors = 0;
  let next = 0;
  const cpuBefore = cpuMs(pid);
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < bodies.length) {
        const body = bodies[next++];
        const t = performance.now();
        const status = await post(url, body, agent);
        latencies.push(performance.now() - t);
        if (status !== 200) errors++;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const cpuMsPerPush = Math.round(((cpuMs(pid) - cpuBefore) / bodies.length) * 100) / 100;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => Math.round(latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))] * 10) / 10;
  return { concurrency, pushes: bodies.length, perSecond: Math.round(bodies.length / seconds), p50ms: pct(0.5), p99ms: pct(0.99), errors, cpuMsPerPush };
}

function post(url: string, body: string, agent: http.Agent): Promise<number> {
  return new Promise((resolve) => {
    const req = http.request(
      url,
      {
        method: 'POST',
        agent,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          authorization: 'Basic ' + Buffer.from(`${USER}:${PASS}`).toString('base64'),
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', () => resolve(0));
    req.end(body);
  });
}

/** The node flags of `npm run receiver` (package.json), so the bench measures what runs. */
const RECEIVER_NODE_FLAGS = (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).scripts.receiver as string)
  .split(' ')
  .filter((a) => a.startsWith('--'));

/** A server under test and the FHIR store it alone calls, each its own process. */
async function startServer(kind: Server): Promise<{ url: string; child: ChildProcess; store: ChildProcess }> {
  const store = spawn(process.execPath, ['-r', 'tsx/cjs', path.join(ROOT, 'bench/fhir-store-process.ts')], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  const fhirBaseUrl = await new Promise<string>((resolve, reject) => {
    store.stdout.once('data', (c: Buffer) => resolve(c.toString().trim()));
    store.once('exit', (code) => reject(new Error(`FHIR store exited with ${code}`)));
  });
  const port = await freePort();
  // The compiled receiver with the node flags of `npm run receiver`; the baseline through tsx's require hook.
  const args = {
    receiver: [...RECEIVER_NODE_FLAGS, path.join(BUILD_DIR, 'receiver.js')],
    baseline: ['-r', 'tsx/cjs', path.join(ROOT, 'bench/baseline-forwarder.ts')],
  }[kind];
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', RECEIVER_USERNAME: USER, RECEIVER_PASSWORD: PASS, FHIR_BASE_URL: fhirBaseUrl },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  // The receiver logs one JSON line per request: drain stdout, wait for "listening".
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (c: Buffer) => (/receiver listening|ready/.test(c.toString()) ? resolve() : undefined));
    child.once('exit', (code) => reject(new Error(`${kind} exited with ${code}`)));
  });
  const url = kind === 'baseline' ? `http://127.0.0.1:${port}/` : `http://127.0.0.1:${port}/cht-fhir/push`;
  return { url, child, store };
}

/** The node process doing the work (tsx spawns node as a child): the deepest process of the tree. */
function nodePid(pid: number): number {
  const kids = children(pid);
  return kids.length ? kids[kids.length - 1] : pid;
}

/** user + system CPU time of a process, in ms (clock ticks of /proc/<pid>/stat, 100 per second). */
function cpuMs(pid: number): number {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return NaN;
  }
}

/** RSS of the server process tree's node process (tsx spawns node as a child). */
function memory(pid: number): { now: number; peak: number } {
  const pids = [pid, ...children(pid)];
  let now = 0;
  let peak = 0;
  for (const p of pids) {
    try {
      const status = fs.readFileSync(`/proc/${p}/status`, 'utf8');
      now = Math.max(now, Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024);
      peak = Math.max(peak, Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024);
    } catch {
      /* gone */
    }
  }
  return { now: Math.round(now), peak: Math.round(peak) };
}

function children(pid: number): number[] {
  try {
    const kids = fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
    return kids.flatMap((k) => [k, ...children(k)]);
  } catch {
    return [];
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

function printTable(levels: LevelResult[], rss: Record<string, { now: number; peak: number }>): void {
  console.log('\nreceiver vs baseline (plain forward, no checks), each its own process, each calling its own FHIR store process over HTTP');
  console.log('server         clients  pushes  pushes/s  x baseline  p50 ms  p99 ms  errors  CPU ms/push');
  const rows = levels.length / SERVERS.length;
  levels.forEach((l, i) => {
    const base = levels[levels.length - rows + (i % rows)];
    const ratio = (l.perSecond / base.perSecond).toFixed(2);
    const repeat = i % rows === rows - 1 ? ' (repeats)' : '';
    console.log(
      `${l.server.padEnd(14)} ${String(l.concurrency).padStart(7)} ${String(l.pushes).padStart(7)} ${String(l.perSecond).padStart(9)} ${ratio.padStart(11)} ${String(l.p50ms).padStart(7)} ${String(l.p99ms).padStart(7)} ${String(l.errors).padStart(7)} ${String(l.cpuMsPerPush).padStart(12)}${repeat}`,
    );
  });
  for (const [server, m] of Object.entries(rss)) console.log(`${server} RSS: ${m.now} MB now, ${m.peak} MB peak`);
  const at50 = levels.find((l) => l.server === 'receiver' && l.concurrency === 50)!;
  const base50 = levels.find((l) => l.server === 'baseline' && l.concurrency === 50)!;
  const peak = rss.receiver?.peak ?? NaN;
  const yes = (ok: boolean) => (ok ? 'yes' : 'NO');
  console.log(
    `target at 50 clients (receiver, fresh docs): ${at50.perSecond} pushes/s >= ${TARGET.perSecond}: ${yes(at50.perSecond >= TARGET.perSecond)}; ` +
      `p99 ${at50.p99ms} ms < ${TARGET.p99ms}: ${yes(at50.p99ms < TARGET.p99ms)}; RSS peak ${peak} MB < ${TARGET.rssMB}: ${yes(peak < TARGET.rssMB)}` +
      ` (baseline ${base50.perSecond} pushes/s, p99 ${base50.p99ms} ms)`,
  );
}

if (require.main === module) void benchReceiver();
