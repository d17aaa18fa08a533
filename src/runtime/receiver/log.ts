/** Structured JSON logs, one line per event. Callers pass fields, never secrets or bodies. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type Logger = (level: LogLevel, msg: string, fields?: Record<string, unknown>) => void;

export const jsonLogger =
  (out: (line: string) => void = (l) => process.stdout.write(l + '\n')): Logger =>
  (level, msg, fields) =>
    out(JSON.stringify({ time: new Date().toISOString(), level, msg, ...fields }));

export const silentLogger: Logger = () => undefined;
