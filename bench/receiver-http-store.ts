import { startFhirServer } from '../src/fhir-server';
import { preloadR4Definitions } from '../src/fhir-validation';
import { startReceiver } from '../src/receiver';

/**
 * The receiver as it runs beside a FHIR server it reaches over HTTP
 * (FHIR_BASE_URL set), with that server being the embedded store in this
 * same process: the topology of the baseline forwarder, so the two rows
 * differ only by what the receiver does.
 */
async function main() {
  preloadR4Definitions();
  const fhir = await startFhirServer();
  await startReceiver({
    auth: { username: process.env.RECEIVER_USERNAME!, password: process.env.RECEIVER_PASSWORD! },
    fhirBaseUrl: fhir.url,
    port: Number(process.env.PORT),
    host: '127.0.0.1',
  });
  process.stdout.write('ready\n');
  process.on('SIGTERM', () => process.exit(0));
}

void main();
