import { startFhirServer } from '../src/fhir-server';
import { runReceiver } from '../src/receiver/main';

/**
 * The bench's compiled receiver: src/receiver/bin.ts's receiver, with the
 * embedded store wired in as `cht-fhir receiver --embedded` does (the
 * production receiver.js has no store and needs FHIR_BASE_URL).
 */
void runReceiver(process.env, { embedded: () => startFhirServer({ host: '127.0.0.1' }) });
