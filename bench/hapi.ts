import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { startHapi } from '../harness/hapi';
import { startReceiverProcess } from '../harness/stand-ins/receiver-process';
import { patientDoc, reportDoc, type PushDoc } from '../harness/stand-ins/push-bundles';
import { AUTH } from '../harness/receiver-stack';

/**
 * The receiver in front of HAPI FHIR JPA (tools/hapi, referential integrity
 * off as docs/receiver.md sets it), beside HAPI taking the same
 * transaction Bundles directly: the ratio is what the receiver's checks,
 * batch read and If-Match guards cost on the server deployments run. Each
 * level sends fresh docs to each side, back to back.
 */
const LEVELS: Array<[number, number]> = [
  [10, 600],
  [50, 1200],
];

interface Row {
  side: string;
  clients: number;
  pushes: number;
  perSecond: number;
  p99ms: number;
  errors: number;
}

async function load(side: string, url: string, bodies: string[], clients: number, headers: Record<string, string>): Promise<Row> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: clients });
  const latencies: number[] = [];
  let errors = 0;
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (next < bodies.length) {
        const body = bodies[next++];
        const t = performance.now();
        const status = await post(url, body, agent, headers);
        latencies.push(performance.now() - t);
        if (status !== 200) errors++;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  return {
    side,
    clients,
    pushes: bodies.length,
    perSecond: Math.round(bodies.length / seconds),
    p99ms: Math.round(latencies[Math.floor(latencies.length * 0.99)] * 10) / 10,
    errors,
  };
}

function post(url: string, body: string, agent: http.Agent, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve) => {
    const req = http.request(url, { method: 'POST', agent, headers: { ...headers, 'content-length': Buffer.byteLength(body) } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', () => resolve(0));
    req.end(body);
  });
}

const docs = (from: number, n: number): PushDoc[] => Array.from({ length: n }, (_x, i) => (i % 2 ? reportDoc : patientDoc)(from + (i >> 1)));

export async function benchHapi(): Promise<void> {
  const hapi = await startHapi({ referentialIntegrity: false });
  const receiver = await startReceiverProcess(hapi.url);
  const toReceiver = { url: `${receiver.url}/cht-fhir/push`, headers: { 'content-type': 'application/json', authorization: AUTH } };
  const toHapi = { url: hapi.url, headers: { 'content-type': 'application/fhir+json' } };
  const send = (side: string, to: typeof toHapi, batch: PushDoc[], clients: number) =>
    load(
      side,
      to.url,
      batch.map((d) => JSON.stringify(side === 'hapi direct' ? (d.body as { bundle: unknown }).bundle : d.body)),
      clients,
      to.headers,
    );
  try {
    // Warm-up (HAPI's JIT and caches, the receiver's validator), not reported.
    await send('receiver', toReceiver, docs(1, 200), 10);
    await send('hapi direct', toHapi, docs(1_000_001, 200), 10);
    console.log(
      `\nreceiver in front of HAPI FHIR JPA (started in ${(hapi.startupMs / 1000).toFixed(1)} s; referential integrity off) vs HAPI taking the same bundles directly`,
    );
    console.log('side          clients  pushes  pushes/s  p99 ms  errors  x hapi');
    let offset = 10_000;
    for (const [clients, pushes] of LEVELS) {
      const viaReceiver = await send('receiver', toReceiver, docs(offset, pushes), clients);
      const direct = await send('hapi direct', toHapi, docs(2_000_000 + offset, pushes), clients);
      offset += pushes;
      for (const r of [viaReceiver, direct])
        console.log(
          `${r.side.padEnd(13)} ${String(r.clients).padStart(7)} ${String(r.pushes).padStart(7)} ${String(r.perSecond).padStart(9)} ${String(r.p99ms).padStart(7)} ${String(r.errors).padStart(7)}  ${(r.perSecond / direct.perSecond).toFixed(2)}`,
        );
    }
  } finally {
    await receiver.stop();
    await hapi.stop();
  }
}
