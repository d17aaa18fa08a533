import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { UsageError } from './usage-error';

/**
 * A REAL OpenHIM (openhim-core 4.0.5 on the in-memory MongoDB of
 * tools/openhim) as a child process, on loopback ports: tools/openhim/launch.js
 * builds it on first use (Maven + npm ci, from the registries), starts it and
 * prints its URLs once the API and router answer. Its stdin is a pipe: if
 * this process dies, the launcher sees it close and stops OpenHIM and
 * MongoDB with it. For this repository's demo, tests and bench (tools/ is
 * not in the npm package).
 */
export interface LaunchedOpenhim {
  /** https (self-signed), e.g. https://127.0.0.1:41234 */
  apiUrl: string;
  /** http router, e.g. http://127.0.0.1:41235 */
  routerUrl: string;
  username: string;
  password: string;
  version: string;
  stop(): Promise<void>;
}

const TOOLS = path.resolve(__dirname, '../../tools/openhim');
const READY_WITHIN_MS = 300_000;

export async function launchOpenhim(opts: { pollMs?: number; apiPort?: number; routerPort?: number } = {}): Promise<LaunchedOpenhim> {
  const launch = path.join(TOOLS, 'launch.js');
  if (!fs.existsSync(launch)) throw new UsageError(`${launch} is missing`, 'run this from a clone of the cht-fhir repository');
  for (const [cmd, arg] of [
    ['java', '-version'],
    ['mvn', '-v'],
  ] as const) {
    try {
      execFileSync(cmd, [arg], { stdio: 'ignore' });
    } catch {
      throw new UsageError(`${cmd} is not installed: the OpenHIM of tools/openhim runs its MongoDB on Java 17, built with Maven`, 'install Java 17 and Maven');
    }
  }
  execFileSync('bash', [path.join(TOOLS, 'build.sh')], { stdio: ['ignore', 'inherit', 'inherit'] });
  const args = [`--poll-ms=${opts.pollMs ?? 200}`, `--api-port=${opts.apiPort ?? 0}`, `--router-port=${opts.routerPort ?? 0}`];
  const child: ChildProcess = spawn(process.execPath, [launch, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  let log = '';
  child.stderr!.on('data', (c: Buffer) => (log = (log + c.toString()).slice(-20_000)));
  const ready = await new Promise<Record<string, string>>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`OpenHIM not ready within ${READY_WITHIN_MS} ms:\n${log}`)), READY_WITHIN_MS);
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /openhim ready (\{.*\})\n/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(JSON.parse(m[1]!) as Record<string, string>);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`OpenHIM launcher exited with ${code} before ready:\n${log}`));
    });
  });
  const exited = new Promise<void>((ok) => (child.exitCode !== null ? ok() : child.once('exit', () => ok())));
  return {
    apiUrl: ready.apiUrl!,
    routerUrl: ready.routerUrl!,
    username: ready.username!,
    password: ready.password!,
    version: ready.version!,
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}
