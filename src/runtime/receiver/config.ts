import os from 'node:os';
import { OPENHIM_AUTH_SCHEMES, type OpenhimAuth } from './openhim-api';
import type { ReceiverOptions } from './server';

/** OpenHIM cannot route to a wildcard address: register this machine's name instead. */
function advertisedHost(host: string): string {
  return host === '0.0.0.0' || host === '::' ? os.hostname() : host;
}

/** Receiver options from the environment (docs/receiver.md). Throws naming every missing/invalid variable. */
export function optionsFromEnv(
  env: NodeJS.ProcessEnv,
  o: { embedded?: boolean } = {},
): Omit<ReceiverOptions, 'fhirBaseUrl' | 'inbound'> & { fhirBaseUrl?: string; inbound?: { chtUrl: string } } {
  const problems: string[] = [];
  const port = env.PORT ? Number(env.PORT) : 5005;
  if (!Number.isInteger(port) || port < 0 || port > 65535) problems.push(`PORT must be a port number, got ${JSON.stringify(env.PORT)}`);
  if (!env.RECEIVER_USERNAME || !env.RECEIVER_PASSWORD)
    problems.push('RECEIVER_USERNAME and RECEIVER_PASSWORD are required (HTTP Basic credentials CHT sends)');
  const openhimSet = [env.OPENHIM_API_URL, env.OPENHIM_USERNAME, env.OPENHIM_PASSWORD].filter(Boolean).length;
  if (openhimSet > 0 && openhimSet < 3) problems.push('OPENHIM_API_URL, OPENHIM_USERNAME and OPENHIM_PASSWORD go together');
  if (env.OPENHIM_AUTH && !OPENHIM_AUTH_SCHEMES.includes(env.OPENHIM_AUTH as OpenhimAuth))
    problems.push(`OPENHIM_AUTH must be one of ${OPENHIM_AUTH_SCHEMES.join(', ')}, got ${JSON.stringify(env.OPENHIM_AUTH)}`);
  if (!env.FHIR_BASE_URL && !o.embedded)
    problems.push(
      'FHIR_BASE_URL is required: set it to the FHIR R4 base URL the receiver writes to (e.g. https://hapi.example.org/fhir); ' +
        'to try the receiver without a FHIR server, run `cht-fhir receiver --embedded` (an in-memory store: everything is lost on exit)',
    );
  if (env.FHIR_BASE_URL && o.embedded) problems.push('--embedded and FHIR_BASE_URL exclude each other: unset FHIR_BASE_URL or drop --embedded');
  if (env.CHT_URL) {
    try {
      new URL(env.CHT_URL);
    } catch {
      problems.push('CHT_URL must be a URL such as https://user:password@cht.example.org');
    }
  }
  if (problems.length) throw new Error(problems.join('\n'));
  const flag = (v?: string) => v === 'true' || v === '1';
  return {
    port,
    host: env.HOST || '0.0.0.0',
    auth: { username: env.RECEIVER_USERNAME!, password: env.RECEIVER_PASSWORD! },
    fhirBaseUrl: env.FHIR_BASE_URL || undefined,
    fhirAuth: env.FHIR_USERNAME && env.FHIR_PASSWORD ? { username: env.FHIR_USERNAME, password: env.FHIR_PASSWORD } : undefined,
    fhirTrustSelfSigned: flag(env.FHIR_TRUST_SELF_SIGNED),
    inbound: env.CHT_URL ? { chtUrl: env.CHT_URL } : undefined,
    corsOrigins: (env.CORS_ORIGINS ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    openhim: env.OPENHIM_API_URL
      ? {
          apiUrl: env.OPENHIM_API_URL,
          username: env.OPENHIM_USERNAME!,
          password: env.OPENHIM_PASSWORD!,
          auth: (env.OPENHIM_AUTH as OpenhimAuth | undefined) ?? 'auto',
          trustSelfSigned: flag(env.OPENHIM_TRUST_SELF_SIGNED),
          mediatorHost: env.MEDIATOR_HOST || advertisedHost(env.HOST || '0.0.0.0'),
        }
      : undefined,
  };
}
