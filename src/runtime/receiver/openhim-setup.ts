import { createHash, randomUUID } from 'node:crypto';
import type { OpenhimApi } from './openhim-api';
import { registerMediator, type MediatorConfig } from './openhim';

/**
 * What an OpenHIM admin would otherwise do in the console, through the API
 * and idempotently (run it again: nothing changes): register the mediator,
 * create or bring up to date its default channels, and create or update the
 * client CHT logs in as. Every step names what it did.
 */
export interface OpenhimClientSetup {
  /** The client's id: CHT's `destination.auth.username`. OpenHIM refuses a client id equal to a role name (409). */
  clientID: string;
  password: string;
  /** Roles it needs (the push channel allows `cht`). */
  roles: string[];
  name?: string;
}

type Channel = {
  _id?: string;
  name: string;
  urlPattern?: string;
  methods?: string[];
  allow?: string[];
  authType?: string;
  autoRetryEnabled?: boolean;
  autoRetryPeriodMinutes?: number;
  routes?: { name: string; host: string; port: number; username?: string; password?: string; primary?: boolean }[];
};
type Client = { _id: string; clientID: string; roles?: string[]; passwordAlgorithm?: string; passwordSalt?: string; passwordHash?: string };

/** The channel fields OpenHIM must hold as ours say (pure); a list of what differs. */
export function channelDifferences(installed: Channel, ours: Channel): string[] {
  const norm = (c: Channel) => ({
    urlPattern: c.urlPattern,
    methods: [...(c.methods ?? [])].sort(),
    allow: [...(c.allow ?? [])].sort(),
    authType: c.authType ?? 'private',
    autoRetryEnabled: c.autoRetryEnabled ?? false,
    autoRetryPeriodMinutes: c.autoRetryEnabled ? (c.autoRetryPeriodMinutes ?? 60) : undefined,
    routes: (c.routes ?? []).map((r) => [r.name, r.host, Number(r.port), r.username ?? '', r.password ?? '']),
  });
  const [a, b] = [norm(installed), norm(ours)];
  return (Object.keys(b) as (keyof typeof b)[]).filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k]));
}

/** OpenHIM's client password check (src/middleware/basicAuthentication.js): hex(hash(password + salt)) for a crypto algorithm. */
export function clientPasswordMatches(client: Client, password: string): boolean {
  if (!client.passwordAlgorithm || !client.passwordSalt || !client.passwordHash) return false;
  try {
    return createHash(client.passwordAlgorithm).update(password).update(client.passwordSalt).digest('hex') === client.passwordHash;
  } catch {
    return false; // bcrypt or unknown: cannot compare, set it again
  }
}

function passwordFields(password: string) {
  const passwordSalt = randomUUID();
  return { passwordAlgorithm: 'sha512', passwordSalt, passwordHash: createHash('sha512').update(password).update(passwordSalt).digest('hex') };
}

export async function setupOpenhim(api: OpenhimApi, config: MediatorConfig, client?: OpenhimClientSetup): Promise<string[]> {
  const done: string[] = [];
  const reg = await registerMediator(api, config);
  done.push(
    reg.action === 'unchanged'
      ? `mediator ${config.urn}: unchanged (version ${reg.version})`
      : `mediator ${config.urn}: ${reg.action} (version ${reg.version})`,
  );
  for (const name of reg.channelsUpdated) done.push(`channel "${name}": routes updated to the registration`);

  const installed = await api.json<Channel[]>('GET', '/channels');
  for (const ours of config.defaultChannelConfig as Channel[]) {
    const found = installed.find((c) => c.name === ours.name);
    if (!found) {
      await api.json('POST', '/channels', ours);
      done.push(`channel "${ours.name}": created (${ours.urlPattern}, ${(ours.methods ?? []).join(' ')}, role ${(ours.allow ?? []).join(', ')})`);
      continue;
    }
    const diff = channelDifferences(found, ours);
    if (!diff.length) {
      done.push(`channel "${ours.name}": unchanged`);
      continue;
    }
    const update: Record<string, unknown> = { ...ours };
    delete update._id;
    await api.json('PUT', `/channels/${encodeURIComponent(found._id!)}`, update);
    done.push(`channel "${ours.name}": updated (${diff.join(', ')})`);
  }

  if (client) {
    const clients = await api.json<Client[]>('GET', '/clients');
    const found = clients.find((c) => c.clientID === client.clientID);
    if (!found) {
      await api.json('POST', '/clients', {
        clientID: client.clientID,
        name: client.name ?? client.clientID,
        roles: client.roles,
        ...passwordFields(client.password),
      });
      done.push(`client "${client.clientID}": created (roles ${client.roles.join(', ')})`);
    } else {
      const missing = client.roles.filter((r) => !(found.roles ?? []).includes(r));
      const passwordOk = clientPasswordMatches(found, client.password);
      if (!missing.length && passwordOk) done.push(`client "${client.clientID}": unchanged`);
      else {
        await api.json('PUT', `/clients/${encodeURIComponent(found._id)}`, {
          roles: [...(found.roles ?? []), ...missing],
          ...(passwordOk ? {} : passwordFields(client.password)),
        });
        done.push(
          `client "${client.clientID}": updated (${[...(missing.length ? [`roles + ${missing.join(', ')}`] : []), ...(passwordOk ? [] : ['password'])].join(', ')})`,
        );
      }
    }
  }
  return done;
}
