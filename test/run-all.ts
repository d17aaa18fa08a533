import { spawn } from 'node:child_process';
import path from 'node:path';

/**
 * `npm test`: type check, Node suite (mocha: the unit tests beside the code, then test/node), browser suite (karma in
 * Debian's Chromium), each streamed as it runs, then one closing line with
 * the totals: `N passed, N failed`.
 */
const ROOT = path.resolve(__dirname, '..');
const bin = (name: string) => path.join(ROOT, 'node_modules/.bin', name);

function run(cmd: string, args: string[]): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, FORCE_COLOR: '0' } });
    let out = '';
    const take = (to: NodeJS.WriteStream) => (c: Buffer) => {
      to.write(c);
      out += c.toString();
    };
    child.stdout.on('data', take(process.stdout));
    child.stderr.on('data', take(process.stderr));
    child.on('close', (code) => resolve({ code: code ?? 1, out }));
  });
}

const num = (re: RegExp, text: string) => Number(re.exec(text)?.[1] ?? 0);

async function main() {
  const steps: Array<{ name: string; passed: number; failed: number; code: number }> = [];

  for (const config of ['tsconfig.json', 'tsconfig.strict.json']) {
    const tsc = await run(bin('tsc'), ['-p', config]);
    steps.push({ name: `type check (${config})`, passed: tsc.code === 0 ? 1 : 0, failed: tsc.code === 0 ? 0 : 1, code: tsc.code });
  }

  const mocha = await run(bin('mocha'), ['src/**/*.test.ts', 'test/node/**/*.test.ts']);
  steps.push({ name: 'node (mocha)', passed: num(/(\d+) passing/, mocha.out), failed: num(/(\d+) failing/, mocha.out), code: mocha.code });

  const karma = await run(bin('karma'), ['start', 'karma.conf.js']);
  // karma's closing line: `TOTAL: 29 SUCCESS` or `TOTAL: 1 FAILED, 28 SUCCESS`
  // eslint-disable-next-line no-control-regex -- terminal colour codes start with ESC
  const plain = karma.out.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '');
  const karmaFailed = num(/TOTAL: (\d+) FAILED/, plain);
  const karmaPassed = num(/TOTAL: (?:\d+ FAILED, )?(\d+) SUCCESS/, plain);
  steps.push({ name: 'browser (karma, Chromium)', passed: karmaPassed, failed: karmaFailed + (karma.code !== 0 && !karmaFailed ? 1 : 0), code: karma.code });

  console.log('\n== summary ==');
  for (const s of steps) console.log(`${s.name.padEnd(28)} ${s.passed} passed, ${s.failed} failed${s.code ? ` (exit ${s.code})` : ''}`);
  const passed = steps.reduce((n, s) => n + s.passed, 0);
  const failed = steps.reduce((n, s) => n + s.failed, 0);
  console.log(`${passed} passed, ${failed} failed`);
  process.exitCode = steps.some((s) => s.code !== 0) || failed ? 1 : 0;
}

void main();
