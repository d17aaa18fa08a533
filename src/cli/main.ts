import fs from 'node:fs';
import path from 'node:path';
import { Command, CommanderError } from 'commander';
import { UsageError } from './usage-error';
import { DefinitionError } from '../compiler/definitions/load';

// Subcommands load their code on use: the CLI starts fast, and `preview`
// does not pay for rollup nor `build` for the FHIR definitions.
/* eslint-disable @typescript-eslint/no-require-imports */
const lazy = {
  build: () => require('../compiler/main') as typeof import('../compiler/main'),
  compile: () => require('../compiler/definitions/compile') as typeof import('../compiler/definitions/compile'),
  inbound: () => require('../compiler/definitions/inbound') as typeof import('../compiler/definitions/inbound'),
  init: () => require('./init') as typeof import('./init'),
  coverage: () => require('./coverage') as typeof import('./coverage'),
  preview: () => require('./preview') as typeof import('./preview'),
  demo: () => require('./demo') as typeof import('./demo'),
  questionnaires: () => require('../compiler/definitions/questionnaire') as typeof import('../compiler/definitions/questionnaire'),
  summary: () => require('./demo-summary') as typeof import('./demo-summary'),
};

/**
 * cht-fhir, run in a cht-conf project (or pointed at one with --project):
 * set it up, check and build the mapping definitions, see what they cover,
 * preview what CHT would push for a doc, run the receiver or the demo.
 * Errors are one line saying what is wrong and what to do; `--debug` adds
 * the stack.
 */
const program = new Command('cht-fhir')
  .description('Make a CHT deployment speak FHIR R4: set up and build the config, preview pushes, run the receiver')
  .option('--project <dir>', 'the cht-conf project (default: the current folder)')
  .option('--debug', 'print stack traces')
  .showHelpAfterError('(run with --help for usage)')
  .exitOverride();

const root = (): string => path.resolve(program.opts<{ project?: string }>().project ?? process.cwd());

program
  .command('init')
  .description('add app_settings/fhir/ to this project: settings with a new id namespace, and a draft definition per form listing its fields')
  .action(() => {
    lazy.init().init(root(), (l) => console.log(l));
  });

program
  .command('check')
  .description('check the mapping definitions in app_settings/fhir/ without writing anything')
  .action(() => {
    const c = lazy.compile().compileDefinitions(root());
    const inbound = lazy.inbound().readInbound(root());
    console.log(
      `ok: ${Object.keys(c.model.forms).length} form mappings, ${Object.keys(c.model.contacts.types).length} contact types, ${inbound.length} inbound mappings, ${c.files.length} files checked`,
    );
  });

program
  .command('build')
  .description("write the FHIR outbound entry into the app settings, the extension libs the forms use, and the receiver's model")
  .action(async () => {
    await lazy.build().build(root());
  });

program
  .command('coverage')
  .description('per form: fields mapped to FHIR resources, fields only in the QuestionnaireResponse, fields in no output')
  .option('--json', 'print the report as JSON')
  .action((o: { json?: boolean }) => {
    const report = lazy.coverage().coverage(root());
    if (o.json) console.log(JSON.stringify(report, null, 2));
    else for (const line of lazy.coverage().formatCoverage(report)) console.log(line);
  });

program
  .command('questionnaires')
  .description('print the FHIR Questionnaires of the mapped forms (what QuestionnaireResponse.questionnaire points at) as a transaction Bundle')
  .option('--out <file>', 'write the Bundle to a file instead of stdout')
  .action((o: { out?: string }) => {
    const bundle = lazy.questionnaires().questionnaireBundle(lazy.compile().compileDefinitions(root()));
    const text = JSON.stringify(bundle, null, 2) + '\n';
    if (o.out) fs.writeFileSync(o.out, text);
    else process.stdout.write(text);
  });

program
  .command('preview')
  .description('run the outbound entries on a CHT doc exactly as CHT does and print each payload, marking invalid FHIR')
  .argument('<doc.json>', 'a CHT doc (report or contact) as JSON')
  .option('--hydrated', 'the doc is already hydrated (contact, patient, place are full docs)')
  .option('--contacts <file>', 'a JSON array of contact docs to hydrate the doc from, as CHT does')
  .option('--settings <file>', "app settings to read outbound from (default: the project's settings file)")
  .action((docFile: string, opts: { hydrated?: boolean; contacts?: string; settings?: string }) => {
    const r = lazy.preview().preview(docFile, { ...opts, root: root() }, (s) => console.log(s));
    if (r.invalid || r.failed) process.exitCode = 1;
  });

program
  .command('receiver')
  .description('run the receiver (OpenHIM mediator) from sources; configured by environment variables (docs/receiver.md)')
  .option('--model <file>', 'the model `build` wrote (needed for FHIR -> CHT; default fhir-receiver/model.json of the project)')
  .option('--embedded', 'no FHIR server: an in-memory store instead (for trying it out: everything is lost on exit); FHIR_BASE_URL must be unset')
  .action((o: { model?: string; embedded?: boolean }) => {
    const { runReceiver } = require('../runtime/receiver/main') as typeof import('../runtime/receiver/main');
    const { startFhirServer } = require('../doubles/fhir-store') as typeof import('../doubles/fhir-store');
    const env = { ...process.env, CHT_FHIR_MODEL: o.model ?? process.env.CHT_FHIR_MODEL ?? path.join(root(), 'fhir-receiver/model.json') };
    void runReceiver(env, o.embedded ? { embedded: () => startFhirServer({ host: '127.0.0.1' }) } : {});
  });

program
  .command('openhim')
  .description('install the mediator, its channels and the CHT client in OpenHIM through its API, idempotently (environment as for `receiver`)')
  .option('--mediator-host <host>', 'where OpenHIM reaches the receiver (default: $MEDIATOR_HOST)')
  .option('--mediator-port <port>', 'the receiver port OpenHIM routes to (default: $PORT or 5005)', (v: string) => port(v))
  .option('--client-id <id>', 'the OpenHIM client CHT logs in as (default: $OPENHIM_CLIENT_ID or cht-outbound)')
  .action(async (o: { mediatorHost?: string; mediatorPort?: number; clientId?: string }) => {
    const { runOpenhimSetup } = require('./openhim') as typeof import('./openhim');
    for (const line of await runOpenhimSetup(process.env, o)) console.log(line);
  });

const port = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new UsageError(`'${v}' is not a port number`, 'give 0-65535');
  return n;
};

program
  .command('demo')
  .description('run the sample CHT docs through the built outbound entry into the receiver and a FHIR server, then print a summary and keep serving')
  .option('--exit', 'exit after the summary instead of serving')
  .option('--port <port>', 'receiver port', port, 5005)
  .option('--fhir-port <port>', 'embedded FHIR server port', port, 8103)
  .option('--host <host>', 'address to listen on', '127.0.0.1')
  .option('--fhir-base-url <url>', 'push to this FHIR server instead of the embedded one (default: $FHIR_BASE_URL)')
  .option('--docs <folder>', 'folder of sample CHT docs (JSON), relative to the project', 'samples')
  .option('--openhim', 'push through a real OpenHIM (openhim-core 4.0.5, tools/openhim; needs Java 17 and Maven)')
  .action(async (o: { exit?: boolean; port: number; fhirPort: number; host: string; fhirBaseUrl?: string; docs: string; openhim?: boolean }) => {
    const { runDemo } = lazy.demo();
    const tty = process.stderr.isTTY;
    let shown = -1;
    const { summary, stop } = await runDemo({
      root: root(),
      port: o.port,
      fhirPort: o.fhirPort,
      host: o.host,
      fhirBaseUrl: o.fhirBaseUrl ?? (process.env.FHIR_BASE_URL || undefined),
      docs: path.resolve(root(), o.docs),
      openhim: o.openhim,
      log: (l) => console.log(l),
      progress: (done, total) => {
        const pct = Math.floor((done / total) * 100);
        if (tty) process.stderr.write(`\rpushing ${done}/${total} (${pct}%)${done === total ? '\n' : ''}`);
        else if (Math.floor(pct / 25) !== shown) {
          console.log(`pushing ${done}/${total} (${pct}%)`);
          shown = Math.floor(pct / 25);
        }
      },
    });
    for (const line of lazy.summary().formatSummary(summary)) console.log(line);
    const ok = summary.invalid === 0 && summary.duplicates === 0 && summary.failedPushes === 0;
    if (!ok) process.exitCode = 1;
    if (o.exit) return stop();
    console.log('Serving until Ctrl-C.');
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    await stop();
  });

async function main(argv: string[]) {
  try {
    await program.parseAsync(argv);
  } catch (e) {
    if (e instanceof CommanderError) {
      process.exitCode = e.exitCode;
      return;
    }
    const debug = argv.includes('--debug');
    if (e instanceof DefinitionError) console.error(`cht-fhir: ${e.message}\n  fix the file named above, then run again`);
    else if (e instanceof UsageError) console.error(`cht-fhir: ${e.message}${e.hint ? ` (${e.hint})` : ''}`);
    else console.error(`cht-fhir: ${(e as Error).message ?? String(e)}`);
    if (debug) console.error((e as Error).stack);
    // A failed rollup build can leave the TypeScript plugin's watcher running: exit now.
    process.exit(1);
  }
}

void main(process.argv);
