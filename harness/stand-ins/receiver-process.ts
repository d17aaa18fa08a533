import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CREDS } from '../receiver-stack';
import { buildReceiver } from '../../src/compiler/package';

export interface ReceiverProcess {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

let compiled: Promise<string> | undefined;
/** The compiled receiver (what deploys), built once per test run into a folder that holds nothing else. */
export function compiledReceiver(): Promise<string> {
  compiled ??= (async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cht-fhir-receiver-'));
    await buildReceiver(dir);
    return dir;
  })();
  return compiled;
}

/**
 * A deployed receiver as its own process (what a deployment runs N of): the
 * compiled `receiver.js` from a folder holding only it and its definitions
 * (by default the one built from these sources; `dir` names another, e.g. an
 * installed package's), pointed at `fhirBaseUrl`, on a free loopback port
 * read from its "receiver listening" log line.
 */
export async function startReceiverProcess(
  fhirBaseUrl: string,
  o: { dir?: string; args?: string[]; env?: Record<string, string> } = {},
): Promise<ReceiverProcess> {
  const dir = o.dir ?? (await compiledReceiver());
  const child: ChildProcess = spawn(process.execPath, [path.join(dir, 'receiver.js'), ...(o.args ?? [])], {
    cwd: dir,
    env: {
      PATH: process.env.PATH,
      PORT: '0',
      HOST: '127.0.0.1',
      RECEIVER_USERNAME: CREDS.username,
      RECEIVER_PASSWORD: CREDS.password,
      FHIR_BASE_URL: fhirBaseUrl,
      ...o.env,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    let buffered = '';
    child.stdout!.on('data', (c: Buffer) => {
      buffered = (buffered + c.toString()).slice(-10_000);
      const m = /"msg":"receiver listening".*?"port":(\d+)|"port":(\d+).*?"receiver listening"/.exec(buffered);
      if (m) resolve(Number(m[1] ?? m[2]));
    });
    child.once('exit', (code) => reject(new Error(`receiver exited with ${code}`)));
  });
  child.stdout!.resume();
  return {
    url: `http://127.0.0.1:${port}`,
    pid: child.pid!,
    stop: () =>
      new Promise<void>((ok) => {
        if (child.exitCode !== null) return ok();
        child.once('exit', () => ok());
        child.kill('SIGTERM');
      }),
  };
}
