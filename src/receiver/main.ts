import { startFhirServer, type FhirServer } from '../fhir-server';
import { preloadR4Definitions } from '../fhir-validation';
import { optionsFromEnv } from './config';
import { jsonLogger } from './log';
import { startReceiver } from './server';

/** `npm run receiver`: env-configured receiver; embedded FHIR store when FHIR_BASE_URL is unset. */
async function main() {
  const log = jsonLogger();
  let opts;
  try {
    opts = optionsFromEnv(process.env);
  } catch (e) {
    log('error', 'invalid configuration', { problems: (e as Error).message.split('\n') });
    process.exit(2);
  }
  preloadR4Definitions(); // pay the ~2 s definition load before taking traffic
  let store: FhirServer | undefined;
  if (!opts.fhirBaseUrl) {
    store = await startFhirServer({ host: '127.0.0.1' });
    log('info', 'embedded FHIR store started (in memory, lost on exit)', { url: store.url });
  }
  const receiver = await startReceiver({ ...opts, fhirBaseUrl: opts.fhirBaseUrl ?? store!.url, fhirExchange: store?.exchange, log });
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

void main();
