import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';

/**
 * Runs a benchmark page in Debian's headless Chromium: serves `html` (and
 * any extra `files`) on loopback, waits for the page to POST its result to
 * /result, then stops the browser and the server. No browser is downloaded.
 */
export interface ChromiumPage {
  /** Origin the page is served from, known before the browser starts (e.g. for CORS). */
  origin: string;
  run(html: string, query?: string): Promise<Record<string, unknown>>;
  close(): Promise<void>;
}

export async function chromiumPage(files: Record<string, { type: string; body: string }> = {}): Promise<ChromiumPage> {
  let html = '';
  let result: (r: Record<string, unknown>) => void = () => undefined;
  const page = http.createServer((req, res) => {
    const url = (req.url ?? '/').split('?')[0];
    if (url === '/result' && req.method === 'POST') {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      return void req.on('end', () => (res.writeHead(204).end(), result(JSON.parse(Buffer.concat(chunks).toString()))));
    }
    const file = files[url];
    if (file) return void res.writeHead(200, { 'content-type': file.type }).end(file.body);
    res.writeHead(200, { 'content-type': 'text/html' }).end(html);
  });
  await new Promise<void>((resolve) => page.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(page.address() as AddressInfo).port}`;

  return {
    origin,
    async run(pageHtml, query = '') {
      html = pageHtml;
      const got = new Promise<Record<string, unknown>>((resolve) => (result = resolve));
      const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-chromium-'));
      const flags = [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        `--user-data-dir=${profile}`,
      ];
      const chromium = spawn(process.env.CHROME_BIN || '/usr/bin/chromium', [...flags, origin + query], { stdio: 'ignore' });
      try {
        const r = await Promise.race([
          got,
          new Promise<never>((_, reject) => chromium.once('exit', (c) => reject(new Error(`chromium exited (${c}) before reporting`)))),
        ]);
        if (!r.ok) throw new Error(`bench page failed in the browser: ${String(r.error)}`);
        return r;
      } finally {
        chromium.kill();
        await new Promise((resolve) => (chromium.exitCode !== null ? resolve(null) : chromium.once('exit', resolve)));
        // Chromium's helpers may still be flushing the profile: removing it is best effort.
        await new Promise((resolve) => setTimeout(resolve, 200));
        try {
          fs.rmSync(profile, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
        } catch {
          // a leftover temp folder is harmless
        }
      }
    },
    close: async () => {
      page.closeAllConnections();
      await new Promise<void>((resolve) => page.close(() => resolve()));
    },
  };
}
