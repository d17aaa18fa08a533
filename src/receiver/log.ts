/** Structured JSON logs, one line per event. Callers pass fields, never secrets or bodies. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type Logger = (level: LogLevel, msg: string, fields?: Record<string, unknown>) => void;

export const jsonLogger = (out: (line: string) => void = stdoutLines): Logger =>
  (level, msg, fields) => out(JSON.stringify({ time: new Date().toISOString(), level, msg, ...fields }));

export const silentLogger: Logger = () => undefined;

let pending: string[] = [];
let exitHooked = false;

/**
 * Lines to stdout, those of one event-loop turn in one write: Node writes to
 * files and pipes synchronously, and one syscall per request line was a few
 * per cent of a push under load. Whatever is pending goes out on exit.
 */
function stdoutLines(line: string): void {
  if (!exitHooked) {
    process.on('exit', flush);
    exitHooked = true;
  }
  if (!pending.length) setImmediate(flush);
  pending.push(line + '\n');
}

function flush(): void {
  if (!pending.length) return;
  const text = pending.join('');
  pending = [];
  process.stdout.write(text);
}
