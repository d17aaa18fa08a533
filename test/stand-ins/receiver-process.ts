import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { CREDS } from '../node/receiver-helpers';

export interface ReceiverProcess {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

const ROOT = path.resolve(__dirname, '../..');

/**
 * `npm run receiver` as its own process (what a deployment runs N of),
 * pointed at `fhirBaseUrl`, on a free loopback port read from its
 * "receiver listening" log line.
 */
export async function startReceiverProcess(fhirBaseUrl: string): Promise<ReceiverProcess> {
  const child: ChildProcess = spawn(process.execPath, [path.join(ROOT, 'bin/cht-fhir.js'), 'receiver'], {
    cwd: ROOT,
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', RECEIVER_USERNAME: CREDS.username, RECEIVER_PASSWORD: CREDS.password, FHIR_BASE_URL: fhirBaseUrl },
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
