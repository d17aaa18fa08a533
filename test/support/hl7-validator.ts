import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import { ROOT } from '../../harness/repo';

/** One message of HL7's validator (org.hl7.fhir.validation via HAPI's FhirInstanceValidator). */
export interface Hl7Issue {
  severity: 'fatal' | 'error' | 'warning' | 'information';
  location: string;
  message: string;
  messageId: string | null;
}

export interface Hl7Validator {
  /** Conformance resources (Questionnaires, CodeSystems, ValueSets, StructureDefinitions) later validations under `name` resolve against. */
  context(name: string, resources: unknown[]): Promise<void>;
  validate(resource: unknown, context?: string): Promise<Hl7Issue[]>;
  close(): Promise<void>;
}

const TOOL = path.join(ROOT, 'tools/validator');

/**
 * HL7's FHIR validator, offline (tools/validator, built with Maven on first
 * use): one JVM per test run, talked to over stdin/stdout JSON lines, one
 * request at a time in order.
 */
export async function startHl7Validator(): Promise<Hl7Validator> {
  const built = spawnSync('bash', [path.join(TOOL, 'build.sh')], { stdio: 'inherit' });
  if (built.status !== 0) throw new Error(`tools/validator/build.sh failed (${built.status}): it needs Java 17 and Maven`);
  const child: ChildProcessWithoutNullStreams = spawn('bash', [path.join(TOOL, 'start.sh')], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-20_000)));
  const lines = readline.createInterface({ input: child.stdout });
  const waiting: Array<(l: Record<string, unknown>) => void> = [];
  let ready!: () => void;
  let failed!: (e: Error) => void;
  const started = new Promise<void>((res, rej) => ((ready = res), (failed = rej)));
  lines.on('line', (l) => {
    const msg = JSON.parse(l) as Record<string, unknown>;
    if (msg.ready) return ready();
    waiting.shift()?.(msg);
  });
  child.once('exit', (code) => failed(new Error(`the validator exited (${code}): ${stderr}`)));
  await started;
  let next = 0;
  const ask = (req: Record<string, unknown>) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      if (child.exitCode !== null) return reject(new Error(`the validator is gone: ${stderr}`));
      waiting.push((a) => (typeof a.error === 'string' ? reject(new Error(a.error)) : resolve(a)));
      child.stdin.write(JSON.stringify({ id: ++next, ...req }) + '\n');
    });
  return {
    context: async (name, resources) => void (await ask({ context: name, resources })),
    validate: async (resource, context) => (await ask({ context, resource })).issues as Hl7Issue[],
    close: () =>
      new Promise<void>((ok) => {
        if (child.exitCode !== null) return ok();
        child.once('exit', () => ok());
        child.stdin.end();
      }),
  };
}

/** Errors and fatals only, one line each, for assertion messages. */
export const errorsOf = (issues: Hl7Issue[]): string[] =>
  issues.filter((i) => i.severity === 'error' || i.severity === 'fatal').map((i) => `${i.location}: ${i.message}`);
