import { startFhirServer } from '../../src/doubles/fhir-store';
import { startReceiver, PUSH_PATH } from '../../src/runtime/receiver';
import { startGateway } from './test-gateway';

/** What the outbox browser tests get through karma's `client.outbox`. */
export interface OutboxTestConfig {
  /** Push endpoint through the fault gateway. */
  pushUrl: string;
  /** `PUT {plan: Fault[]}` here scripts the next pushes. */
  faultsUrl: string;
  /** FHIR base (through the gateway, CORS open) to count what was stored. */
  fhirUrl: string;
  authorization: string;
}

/** Karma takes the next free port from 9876 when another run holds it. */
export const KARMA_ORIGINS = Array.from({ length: 10 }, (_, i) => [`http://localhost:${9876 + i}`, `http://127.0.0.1:${9876 + i}`]).flat();

/** Starts the real FHIR server and receiver, and the gateway, on loopback; `close` stops all three. */
export async function startOutboxServers(): Promise<{ config: OutboxTestConfig; close(): Promise<void> }> {
  const user = 'outbox-test';
  const password = 'outbox-test-secret';
  const fhir = await startFhirServer();
  const receiver = await startReceiver({ fhirBaseUrl: fhir.url, auth: { username: user, password }, corsOrigins: KARMA_ORIGINS });
  const fhirPath = new URL(fhir.url).pathname;
  const gateway = await startGateway({ receiverUrl: receiver.url, fhirUrl: fhir.url, pushPath: PUSH_PATH });
  return {
    config: {
      pushUrl: `${gateway.url}${PUSH_PATH}`,
      faultsUrl: `${gateway.url}/__faults`,
      fhirUrl: `${gateway.url}${fhirPath}`,
      authorization: 'Basic ' + Buffer.from(`${user}:${password}`).toString('base64'),
    },
    close: async () => {
      await gateway.close();
      await receiver.close();
      await fhir.close();
    },
  };
}
