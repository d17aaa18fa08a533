import { startFhirServer } from '../src/doubles/fhir-store';

/**
 * The bench's FHIR server: the embedded store in a process of its own, so a
 * server under test reaches it over loopback HTTP as it reaches HAPI, and its
 * RSS and CPU are its own. Prints its base URL on stdout.
 */
void startFhirServer({ host: '127.0.0.1' }).then((fhir) => {
  process.stdout.write(`${fhir.url}\n`);
  process.on('SIGTERM', () => process.exit(0));
});
