#!/usr/bin/env node
'use strict';
/*
 * Runs a real OpenHIM (openhim-core 4.0.5 from the npm registry) on this
 * machine, on loopback only, for cht-fhir's tests, bench and demo:
 *   1. tools/openhim/build.sh (Maven + npm ci, skipped when up to date);
 *   2. an in-memory MongoDB (mongo-java-server, see src/main/java) on a free port;
 *   3. openhim-core with a generated config: every port free (or as given),
 *      bound to 127.0.0.1, no alerts/reports/logs to the database, and the
 *      rerun/auto-retry poll period short;
 *   4. waits until the API answers GET /heartbeat and the router accepts,
 *      then prints ONE line on stdout:
 *        openhim ready {"apiUrl":"https://127.0.0.1:N","routerUrl":"http://127.0.0.1:N",...}
 * It stops both on SIGTERM/SIGINT and when its standard input closes (the
 * parent died), so no OpenHIM outlives the test that started it.
 *
 * Options: --api-port=0 --router-port=0 (0: any free port)
 *          --poll-ms=2000 (rerun.processor.pollPeriodMillis: how often
 *          queued reruns and auto-retries are picked up)
 * The API user is OpenHIM's default root@openhim.org / openhim-password, on a
 * fresh in-memory database each start.
 *
 * What openhim-core 4.0.5 needs on Node 20, and how it is given here:
 *  - mongoose 4 sends `$pushAll`: rewritten by the Java MongoDB (see there);
 *  - an unhandled rejection in its metrics code kills a cluster worker:
 *    node --unhandled-rejections=warn (workers inherit it through execArgv);
 *  - `ssl-root-cas/latest` downloads CA data at start when its generated file
 *    is absent (no network here): offline.js, preloaded with -r, resolves it to
 *    the CA list the package ships (`ssl-root-cas`), used only for mutual TLS,
 *    which this config turns off anyway.
 */
const { spawn, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const https = require('node:https');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');

const HERE = __dirname;
const HOST = '127.0.0.1';
const READY_WITHIN_MS = 120_000;

function options(argv) {
  const o = { apiPort: 0, routerPort: 0, pollMs: 2000 };
  for (const a of argv) {
    const m = /^--(api-port|router-port|poll-ms)=(\d+)$/.exec(a);
    if (!m) throw new Error(`unknown option ${a} (use --api-port=N --router-port=N --poll-ms=N)`);
    const key = { 'api-port': 'apiPort', 'router-port': 'routerPort', 'poll-ms': 'pollMs' }[m[1]];
    o[key] = Number(m[2]);
  }
  return o;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, HOST, () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

function portOpen(port) {
  return new Promise((resolve) => {
    const sock = net.connect(port, HOST);
    sock.once('connect', () => (sock.destroy(), resolve(true)));
    sock.once('error', () => resolve(false));
  });
}

function heartbeat(port) {
  return new Promise((resolve) => {
    const req = https.get({ host: HOST, port, path: '/heartbeat', rejectUnauthorized: false, timeout: 3000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.once('timeout', () => req.destroy());
    req.once('error', () => resolve(false));
  });
}

const sleep = (ms) => new Promise((ok) => setTimeout(ok, ms));

async function main() {
  const opts = options(process.argv.slice(2));
  execFileSync('bash', [path.join(HERE, 'build.sh')], { stdio: ['ignore', 'inherit', 'inherit'] });

  const children = [];
  let stopping = false;
  const stop = (code) => {
    if (stopping) return;
    stopping = true;
    for (const c of children) {
      try {
        // openhim-core's master forks cluster workers: signal its whole process group.
        process.kill(c.detached ? -c.child.pid : c.child.pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
    process.exit(code);
  };
  process.on('SIGTERM', () => stop(0));
  process.on('SIGINT', () => stop(0));
  process.stdin.on('end', () => stop(0));
  process.stdin.on('error', () => stop(0));
  process.stdin.resume();

  // 1. MongoDB
  const classpath = `${path.join(HERE, 'target/classes')}:${fs.readFileSync(path.join(HERE, 'target/classpath.txt'), 'utf8').trim()}`;
  const mongo = spawn('java', ['-Xmx512m', '-Dorg.slf4j.simpleLogger.defaultLogLevel=error', '-cp', classpath, 'org.chtfhir.openhim.Main', `--host=${HOST}`, '--port=0'], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  children.push({ child: mongo, detached: false });
  mongo.once('exit', (code) => {
    if (!stopping) console.error(`openhim launcher: MongoDB exited (${code})`);
    stop(1);
  });
  const mongoPort = await new Promise((resolve, reject) => {
    let out = '';
    mongo.stdout.on('data', (c) => {
      out += c.toString();
      const m = /mongo listening on port (\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    mongo.once('error', reject);
  });

  // 2. openhim-core config: only what differs from its config/default.json.
  const ports = {
    router: opts.routerPort || (await freePort()),
    routerHttps: await freePort(),
    api: opts.apiPort || (await freePort()),
    rerun: await freePort(),
    tcpHttpReceiver: await freePort(),
    polling: await freePort(),
  };
  const mongoUrl = `mongodb://${HOST}:${mongoPort}/openhim`;
  const config = {
    bindAddress: HOST,
    mongo: { url: mongoUrl, atnaUrl: mongoUrl },
    logger: { level: 'warn', logToDB: false },
    router: { externalHostname: HOST, httpPort: ports.router, httpsPort: ports.routerHttps },
    bodyCull: { enabled: false },
    api: { httpsPort: ports.api },
    rerun: { httpPort: ports.rerun, host: HOST, processor: { enabled: true, pollPeriodMillis: opts.pollMs } },
    tcpAdapter: { httpReceiver: { httpPort: ports.tcpHttpReceiver, host: HOST } },
    polling: { enabled: true, pollingPort: ports.polling, host: HOST },
    authentication: { enableMutualTLSAuthentication: false, enableBasicAuthentication: true },
    alerts: { enableAlerts: false },
    reports: { enableReports: false },
    statsd: { enabled: false },
    caching: { enabled: true, refreshMillis: 200 },
    agenda: { startupDelay: 0 },
    certificateManagement: { watchFSForCert: false },
  };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cht-fhir-openhim-'));
  const confFile = path.join(dir, 'openhim.json');
  fs.writeFileSync(confFile, JSON.stringify(config, null, 2));

  // 3. openhim-core (its master forks one worker; `--cluster` defaults to 1).
  const server = path.join(HERE, 'node_modules/openhim-core/lib/server.js');
  const env = { ...process.env };
  delete env.NODE_ENV; // openhim-core would look for config/<NODE_ENV>.json

  // nconf reads every environment variable (separator "_") as config: drop the ones that would clash.
  for (const k of Object.keys(env)) if (/^(mongo|api|router|rerun|logger|bindAddress|conf)(_|$)/i.test(k)) delete env[k];
  const core = spawn(
    process.execPath,
    ['--unhandled-rejections=warn', '-r', path.join(HERE, 'offline.js'), server, `--conf=${confFile}`],
    { cwd: path.join(HERE, 'node_modules/openhim-core'), env, stdio: ['ignore', 'inherit', 'inherit'], detached: true },
  );
  children.push({ child: core, detached: true });
  core.once('exit', (code, signal) => {
    if (!stopping) console.error(`openhim launcher: openhim-core exited (${code ?? signal})`);
    stop(1);
  });

  const started = Date.now();
  while (!((await heartbeat(ports.api)) && (await portOpen(ports.router)))) {
    if (Date.now() - started > READY_WITHIN_MS) {
      console.error(`openhim launcher: OpenHIM not ready within ${READY_WITHIN_MS} ms`);
      return stop(1);
    }
    await sleep(200);
  }
  const ready = {
    apiUrl: `https://${HOST}:${ports.api}`,
    routerUrl: `http://${HOST}:${ports.router}`,
    mongoUrl,
    username: 'root@openhim.org',
    password: 'openhim-password',
    version: require(path.join(HERE, 'node_modules/openhim-core/package.json')).version,
    startupMs: Date.now() - started,
    pid: process.pid,
  };
  process.stdout.write(`openhim ready ${JSON.stringify(ready)}\n`);
}

main().catch((e) => {
  console.error(`openhim launcher: ${e.stack || e.message}`);
  process.exit(1);
});
