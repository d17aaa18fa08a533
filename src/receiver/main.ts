import fs from 'node:fs';
import { startFhirServer, type FhirServer } from '../fhir-server';
import { preloadR4Definitions } from '../fhir-validation';
import { parseReceiverModel, type ReceiverModel } from '../core/receiver-model';
import { optionsFromEnv } from './config';
import { jsonLogger } from './log';
import { startReceiver } from './server';

/**
 * The receiver as a process, configured by the environment (docs/receiver.md);
 * the embedded FHIR store when FHIR_BASE_URL is unset. FHIR -> CHT (CHT_URL)
 * needs the model `cht-fhir build` wrote (CHT_FHIR_MODEL).
 */
export async function runReceiver(env: NodeJS.ProcessEnv): Promise<void> {
  const log = jsonLogger();
  let opts;
  let model: ReceiverModel | undefined;
  try {
    opts = optionsFromEnv(env);
    if (opts.inbound) model = readModel(env.CHT_FHIR_MODEL);
  } catch (e) {
    log('error', 'invalid configuration', { problems: (e as Error).message.split('\n') });
    process.exit(2);
  }
  preloadR4Definitions(); // pay the definition load before taking traffic
  let store: FhirServer | undefined;
  if (!opts.fhirBaseUrl) {
    store = await startFhirServer({ host: '127.0.0.1' });
    log('info', 'embedded FHIR store started (in memory, lost on exit)', { url: store.url });
  }
  const inbound = opts.inbound && model ? { ...opts.inbound, model } : undefined;
  const receiver = await startReceiver({ ...opts, inbound, fhirBaseUrl: opts.fhirBaseUrl ?? store!.url, fhirExchange: store?.exchange, log });
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
