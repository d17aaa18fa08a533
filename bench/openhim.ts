import { execFileSync } from 'node:child_process';
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { preloadR4Definitions } from '../src/fhir-validation';
import { startFhirServer } from '../src/doubles/fhir-store';
import { mediatorConfig, startReceiver } from '../src/runtime/receiver';
import { setupOpenhim } from '../src/runtime/receiver/openhim-setup';
import { startOpenhim } from '../harness/openhim';
import { patientDoc, reportDoc } from '../harness/stand-ins/push-bundles';
import { basic, rawRequest } from '../harness/stand-ins/raw-http';

/**
 * Pushes/s through a real OpenHIM (openhim-core 4.0.5 on the in-memory
 * MongoDB of tools/openhim: router, transaction store, mediator response)
 * against straight to the receiver, same run, same kind of payloads (fresh
 * docs each round: first delivery), same concurrency; the two alternate
 * round by round so a machine slowing down mid-run skews both alike.
 * Figures only, no thresholds. Needs Java (for MongoDB): without it, says so
 * and skips.
 */
const RECEIVER = { username: 'bench', password: 'bench-password' };
const CLIENT = { clientID: 'bench-cht', password: 'bench-client', roles: ['cht'] };
const CONCURRENCY = 8;
const ROUNDS = 3;
const PER_ROUND = 200;

function javaMissing(): string | undefined {
  for (const [cmd, arg] of [
    ['java', '-version'],
    ['mvn', '-v'],
  ]) {
    try {
      execFileSync(cmd, [arg], { stdio: 'ignore' });
    } catch {
      return `${cmd} not found (tools/openhim builds its MongoDB with Maven and runs it on Java 17)`;
    }
  }
  return undefined;
}

async function load(url: string, auth: string, docs: { body: unknown }[], agent: http.Agent): Promise<{ perSecond: number; errors: number }> {
  let next = 0;
  let errors = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < docs.length) {
        const d = docs[next++];
        const res = await rawRequest(url, {
          method: 'POST',
          headers: { authorization: auth, 'content-type': 'application/json' },
          body: JSON.stringify(d.body),
          agent,
          timeoutMs: 30_000,
        });
        if (res.status !== 200) errors++;
      }
    }),
  );
  return { perSecond: docs.length / ((performance.now() - started) / 1000), errors };
}

export async function benchOpenhim(): Promise<{ viaOpenhim: number; direct: number; ratio: number } | undefined> {
  console.log('\n== receiver through a real OpenHIM 4.0.5 vs straight to the receiver ==');
  const missing = javaMissing();
  if (missing) {
    console.log(`skipped: ${missing}`);
    return undefined;
  }
  preloadR4Definitions();
  const openhim = await startOpenhim();
  const store = await startFhirServer({ host: '127.0.0.1' });
  const receiver = await startReceiver({ auth: RECEIVER, fhirBaseUrl: store.url });
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  try {
    const port = Number(new URL(receiver.url).port);
    await setupOpenhim(openhim.api, mediatorConfig({ host: '127.0.0.1', port, auth: RECEIVER }), CLIENT);
    const via = { url: `${openhim.routerUrl}/cht-fhir/push`, auth: basic(CLIENT.clientID, CLIENT.password) };
    const direct = { url: `${receiver.url}/cht-fhir/push`, auth: basic(RECEIVER.username, RECEIVER.password) };
    let n = 300000;
    const docs = (count: number) => Array.from({ length: count }, (_x, i) => (i % 2 ? reportDoc : patientDoc)(n + (i >> 1)));
    const fresh = (count: number) => {
      const d = docs(count);
      n += count;
      return d;
    };
    // Warm-up (JIT, sockets, OpenHIM's channel cache), not reported.
    await load(via.url, via.auth, fresh(60), agent);
    await load(direct.url, direct.auth, fresh(60), agent);
    const rows: { round: number; via: number; direct: number; errors: number }[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      const a = await load(via.url, via.auth, fresh(PER_ROUND), agent);
      const b = await load(direct.url, direct.auth, fresh(PER_ROUND), agent);
      rows.push({ round, via: a.perSecond, direct: b.perSecond, errors: a.errors + b.errors });
    }
    const mean = (k: 'via' | 'direct') => rows.reduce((s, r) => s + r[k], 0) / rows.length;
    console.log(`${PER_ROUND} fresh pushes per round and path, concurrency ${CONCURRENCY}, embedded FHIR store; OpenHIM stores every transaction`);
    console.log('round  via OpenHIM/s  direct/s  ratio  errors');
    for (const r of rows)
      console.log(
        `${String(r.round).padEnd(6)} ${r.via.toFixed(1).padStart(13)} ${r.direct.toFixed(1).padStart(9)} ${(r.via / r.direct).toFixed(2).padStart(6)} ${String(r.errors).padStart(7)}`,
      );
    const result = { viaOpenhim: mean('via'), direct: mean('direct'), ratio: mean('via') / mean('direct') };
    console.log(`mean: ${result.viaOpenhim.toFixed(1)} pushes/s through OpenHIM, ${result.direct.toFixed(1)} direct (${result.ratio.toFixed(2)}x)`);
    return result;
  } finally {
    agent.destroy();
    await receiver.close();
    await store.close();
    await openhim.stop();
  }
}

if (require.main === module) {
  benchOpenhim().catch((e: Error) => {
    console.error(`bench failed: ${e.message}`);
    process.exit(1);
  });
}
