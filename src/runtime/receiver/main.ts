import fs from 'node:fs';
import { preloadR4Definitions } from '../../fhir-validation';
import { parseReceiverModel, type ReceiverModel } from '../../core/receiver-model';
import { optionsFromEnv } from './config';
import { jsonLogger } from './log';
import { startReceiver } from './server';

/**
 * What `--embedded` starts: an in-memory FHIR store the receiver reaches over
 * HTTP like any other (the CLI wires it; it is never bundled into receiver.js).
 */
export type EmbeddedStore = () => Promise<{ url: string; close(): Promise<void> }>;

/**
 * The receiver as a process, configured by the environment (docs/receiver.md).
 * FHIR_BASE_URL is required: without it the receiver refuses to start (exit
 * 2), unless the caller passes `embedded` (`cht-fhir receiver --embedded`),
 * an in-memory store whose data is lost on exit, logged as a warning.
 * FHIR -> CHT (CHT_URL) needs the model `cht-fhir build` wrote (CHT_FHIR_MODEL).
 */
export async function runReceiver(env: NodeJS.ProcessEnv, o: { embedded?: EmbeddedStore } = {}): Promise<void> {
  const log = jsonLogger();
  let opts;
  let model: ReceiverModel | undefined;
  try {
    opts = optionsFromEnv(env, { embedded: !!o.embedded });
    if (opts.inbound) model = readModel(env.CHT_FHIR_MODEL);
  } catch (e) {
    const problems = (e as Error).message.split('\n');
    log('error', 'invalid configuration', { problems });
    // Also plainly on stderr: an admin starting it by hand reads this, not JSON.
    for (const p of problems) console.error(`cht-fhir receiver: ${p}`);
    process.exit(2);
  }
  preloadR4Definitions(); // pay the definition load before taking traffic
  let store: Awaited<ReturnType<EmbeddedStore>> | undefined;
  if (!opts.fhirBaseUrl && o.embedded) {
    store = await o.embedded();
    log('warn', 'embedded FHIR store started: in memory, EVERYTHING IT HOLDS IS LOST ON EXIT; set FHIR_BASE_URL for a real FHIR server', {
      url: store.url,
    });
  }
  const inbound = opts.inbound && model ? { ...opts.inbound, model } : undefined;
  const receiver = await startReceiver({ ...opts, inbound, fhirBaseUrl: opts.fhirBaseUrl ?? store!.url, log });
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log('info', 'shutting down', { signal });
    await receiver.close();
    await store?.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

function readModel(file: string | undefined): ReceiverModel {
  if (!file) throw new Error('CHT_FHIR_MODEL must name the model file `cht-fhir build` wrote (fhir-receiver/model.json) when CHT_URL is set');
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new Error(
      `CHT_FHIR_MODEL: cannot read ${file} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); run cht-fhir build and deploy fhir-receiver/model.json`,
    );
  }
  return parseReceiverModel(text, file);
}
