import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

/**
 * The HAPI FHIR JPA server of tools/hapi as a child process: built with Maven
 * on first use (tools/hapi/build.sh), started on a loopback port, ready when
 * GET /fhir/metadata answers 200. `kill()` is SIGKILL (a crash), `restart()`
 * starts it again on the same port (with `database` set, on the same files).
 */
export interface HapiOptions {
  /** 0 (default): any free port. */
  port?: number;
  /** "mem" (default) or a path prefix for H2 files (data survives a restart). */
  database?: string;
  /** HAPI's default is true (hapi.fhir.enforce_referential_integrity_on_write). */
  referentialIntegrity?: boolean;
}

export interface Hapi {
  /** FHIR base, e.g. http://127.0.0.1:41234/fhir */
  url: string;
  port: number;
  /** Milliseconds from spawn to the first 200 on /fhir/metadata. */
  startupMs: number;
  stop(): Promise<void>;
  kill(): Promise<void>;
  restart(): Promise<void>;
}

const ROOT = path.resolve(__dirname, '..');
const START = path.join(ROOT, 'tools/hapi/start.sh');
const READY_WITHIN_MS = 180_000;

/** Builds tools/hapi if its sources changed (a cold build downloads HAPI from Maven Central). */
function buildHapi(): void {
  execFileSync('bash', [path.join(ROOT, 'tools/hapi/build.sh')], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
}

export async function startHapi(opts: HapiOptions = {}): Promise<Hapi> {
  buildHapi();
  let child: ChildProcess | undefined;
  const args = (port: number) => [
    `--port=${port}`,
    '--host=127.0.0.1',
    `--database=${opts.database ?? 'mem'}`,
    `--enforce-referential-integrity-on-write=${opts.referentialIntegrity ?? true}`,
  ];
  const launch = async (port: number) => {
    const started = Date.now();
    const proc = spawn('bash', [START, ...args(port)], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    child = proc;
    let log = '';
    proc.stderr.on('data', (c: Buffer) => (log = (log + c.toString()).slice(-20_000)));
    const bound = await new Promise<number>((resolve, reject) => {
      let out = '';
      proc.stdout.on('data', (c: Buffer) => {
        out = (out + c.toString()).slice(-2000); // one line can come in several chunks
        const m = /hapi listening on port (\d+)/.exec(out);
        if (m) resolve(Number(m[1]));
      });
      proc.once('exit', (code) => reject(new Error(`HAPI exited with ${code} before listening:\n${log}`)));
    });
    await waitForMetadata(`http://127.0.0.1:${bound}/fhir`, started);
    return { port: bound, startupMs: Date.now() - started };
  };
  const exited = (p: ChildProcess) =>
    p.exitCode !== null || p.signalCode !== null ? Promise.resolve() : new Promise<void>((ok) => p.once('exit', () => ok()));
  const signal = async (sig: NodeJS.Signals) => {
    const p = child;
    if (!p) return;
    child = undefined;
    p.kill(sig);
    // A JVM that does not stop within 20 s of SIGTERM is killed.
    const timer = sig === 'SIGTERM' ? setTimeout(() => p.kill('SIGKILL'), 20_000) : undefined;
    await exited(p);
    clearTimeout(timer);
  };
  const first = await launch(opts.port ?? 0);
  const hapi: Hapi = {
    url: `http://127.0.0.1:${first.port}/fhir`,
    port: first.port,
    startupMs: first.startupMs,
    stop: () => signal('SIGTERM'),
    kill: () => signal('SIGKILL'),
    restart: async () => {
      await signal('SIGTERM');
      hapi.startupMs = (await launch(first.port)).startupMs;
    },
  };
  return hapi;
}

/** Polls GET <base>/metadata every 250 ms until 200, at most READY_WITHIN_MS after `since`. */
async function waitForMetadata(base: string, since: number): Promise<void> {
  for (let attempt = 0; Date.now() - since < READY_WITHIN_MS; attempt++) {
    try {
      const res = await fetch(`${base}/metadata`, { signal: AbortSignal.timeout(5000) });
      if (res.status === 200) return;
    } catch {
      /* not up yet */
    }
    await new Promise((ok) => setTimeout(ok, 250));
  }
  throw new Error(`HAPI at ${base} did not answer /metadata within ${READY_WITHIN_MS} ms`);
}
