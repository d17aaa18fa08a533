import { mediatorConfig } from '../runtime/receiver/openhim';
import { OpenhimApi, OPENHIM_AUTH_SCHEMES, type OpenhimAuth } from '../runtime/receiver/openhim-api';
import { setupOpenhim } from '../runtime/receiver/openhim-setup';
import { jsonLogger } from '../runtime/receiver/log';
import { UsageError } from './usage-error';

export const DEFAULT_CLIENT_ID = 'cht-outbound';

/**
 * `cht-fhir openhim`: what an admin would do in the OpenHIM console, done
 * through its API from the receiver's environment (docs/receiver.md):
 * register the mediator, install or update its channels, and create or
 * update the client CHT logs in as (when OPENHIM_CLIENT_PASSWORD is set).
 * Idempotent; returns one line per step saying what changed.
 */
export async function runOpenhimSetup(env: NodeJS.ProcessEnv, o: { mediatorHost?: string; mediatorPort?: number; clientId?: string }): Promise<string[]> {
  const problems: string[] = [];
  for (const v of ['OPENHIM_API_URL', 'OPENHIM_USERNAME', 'OPENHIM_PASSWORD', 'RECEIVER_USERNAME', 'RECEIVER_PASSWORD'])
    if (!env[v]) problems.push(`${v} is required`);
  const host = o.mediatorHost ?? env.MEDIATOR_HOST;
  if (!host) problems.push('MEDIATOR_HOST (or --mediator-host) is required: the host OpenHIM reaches the receiver at');
  const port = o.mediatorPort ?? (env.PORT ? Number(env.PORT) : 5005);
  if (!Number.isInteger(port) || port < 1 || port > 65535) problems.push(`the receiver port must be 1-65535, got ${JSON.stringify(env.PORT)}`);
  const auth = (env.OPENHIM_AUTH || 'auto') as OpenhimAuth;
  if (!OPENHIM_AUTH_SCHEMES.includes(auth))
    problems.push(`OPENHIM_AUTH must be one of ${OPENHIM_AUTH_SCHEMES.join(', ')}, got ${JSON.stringify(env.OPENHIM_AUTH)}`);
  if (problems.length) throw new UsageError(problems.join('; '), 'set the same environment as the receiver (docs/receiver.md)');
  const api = new OpenhimApi(
    {
      apiUrl: env.OPENHIM_API_URL!,
      username: env.OPENHIM_USERNAME!,
      password: env.OPENHIM_PASSWORD!,
      auth,
      trustSelfSigned: env.OPENHIM_TRUST_SELF_SIGNED === 'true' || env.OPENHIM_TRUST_SELF_SIGNED === '1',
    },
    jsonLogger((l) => console.error(l)),
  );
  const config = mediatorConfig({ host: host!, port, auth: { username: env.RECEIVER_USERNAME!, password: env.RECEIVER_PASSWORD! } });
  const clientID = o.clientId ?? (env.OPENHIM_CLIENT_ID || DEFAULT_CLIENT_ID);
  const client = env.OPENHIM_CLIENT_PASSWORD ? { clientID, password: env.OPENHIM_CLIENT_PASSWORD, roles: ['cht'], name: 'CHT outbound push' } : undefined;
  const lines = await setupOpenhim(api, config, client);
  if (!client) lines.push(`client "${clientID}": skipped (set OPENHIM_CLIENT_PASSWORD to create the client CHT logs in as)`);
  return lines;
}
