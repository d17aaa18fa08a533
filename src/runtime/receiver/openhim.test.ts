import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import { compareVersions, mediatorConfig, type MediatorConfig, mediatorHeaders, nextVersion, sameRegistration, updatedRoutes } from './openhim';
import { parseAuthenticate, tokenHeaders } from './openhim-api';
import { channelDifferences, clientPasswordMatches } from './openhim-setup';
import { optionsFromEnv } from './config';

const receiver = { host: '10.0.0.5', port: 5005, auth: { username: 'cht', password: 'pw' } };

describe('receiver/openhim: registration, login and setup decisions', () => {
  it('tokenHeaders: auth-token = sha512(sha512(salt + password) + salt + ts)', () => {
    const h = tokenHeaders('root@openhim.org', 'openhim-password', 'salt', '2026-01-01T00:00:00.000Z');
    const inner = createHash('sha512').update('saltopenhim-password').digest('hex');
    assert.equal(h['auth-token'], createHash('sha512').update(`${inner}salt2026-01-01T00:00:00.000Z`).digest('hex'));
    assert.deepEqual([h['auth-username'], h['auth-salt'], h['auth-ts']], ['root@openhim.org', 'salt', '2026-01-01T00:00:00.000Z']);
  });

  it('parseAuthenticate: only a 200 with string salt and ts is the token scheme', () => {
    assert.deepEqual(parseAuthenticate({ status: 200, headers: {}, body: '{"salt":"s","ts":"t"}' }), { salt: 's', ts: 't' });
    assert.equal(parseAuthenticate({ status: 401, headers: {}, body: '{"salt":"s","ts":"t"}' }), undefined);
    assert.equal(parseAuthenticate({ status: 200, headers: {}, body: 'Unauthorized' }), undefined);
    assert.equal(parseAuthenticate({ status: 200, headers: {}, body: '{"salt":1}' }), undefined);
  });

  it('versions: a change registers as the greater of ours and the next patch of the registered one', () => {
    assert.equal(compareVersions('0.1.10', '0.1.9'), 1);
    assert.equal(compareVersions('1.0.0', '1.0.0'), 0);
    assert.equal(nextVersion('0.1.0', '0.1.0'), '0.1.1');
    assert.equal(nextVersion('0.1.7', '0.1.0'), '0.1.8');
    assert.equal(nextVersion('0.0.9', '0.2.0'), '0.2.0');
  });

  it('sameRegistration / updatedRoutes: endpoint, channels and route credentials are compared; other fields OpenHIM adds are not', () => {
    const ours = mediatorConfig(receiver);
    const copy = JSON.parse(JSON.stringify(ours)) as MediatorConfig;
    const stored = { ...copy, _id: 'x', version: '0.1.4' };
    stored.defaultChannelConfig[0].routes[0] = { ...stored.defaultChannelConfig[0].routes[0], ...{ _id: 'r' } };
    assert.ok(sameRegistration(stored, ours));
    assert.ok(!sameRegistration(stored, mediatorConfig({ ...receiver, port: 5006 })));
    assert.ok(!sameRegistration(stored, mediatorConfig({ ...receiver, auth: { username: 'cht', password: 'new' } })));
    const push = ours.defaultChannelConfig[0];
    const installed = { name: 'CHT FHIR push', routes: [{ name: 'CHT FHIR receiver', host: 'old', port: 1, username: 'cht', password: 'pw', primary: true }] };
    const previous = { name: 'CHT FHIR push', routes: [{ name: 'CHT FHIR receiver', host: 'old', port: 1, username: 'cht', password: 'pw' }] };
    const routes = updatedRoutes(installed, push, previous);
    assert.deepEqual(routes, [{ name: 'CHT FHIR receiver', host: '10.0.0.5', port: 5005, username: 'cht', password: 'pw', primary: true }]);
    assert.equal(updatedRoutes({ ...installed, routes }, push, previous), undefined, 'already there');
    const customised = { name: 'CHT FHIR push', routes: [{ ...installed.routes[0], host: 'load-balancer', port: 80 }] };
    assert.equal(updatedRoutes(customised, push, previous), undefined, 'a route an admin pointed elsewhere is left alone');
    assert.equal(updatedRoutes(installed, push, undefined), undefined, 'no previous registration: nothing to follow');
  });

  it('channelDifferences names what an installed channel lacks', () => {
    const ours = mediatorConfig(receiver).defaultChannelConfig[1];
    assert.deepEqual(channelDifferences({ ...ours, _id: 'x' }, ours), []);
    assert.deepEqual(channelDifferences({ ...ours, methods: ['POST', 'PUT'], autoRetryEnabled: false }, ours), [
      'methods',
      'autoRetryEnabled',
      'autoRetryPeriodMinutes',
    ]);
  });

  it('clientPasswordMatches hashes as OpenHIM does (password then salt), and says no to what it cannot check', () => {
    const hash = createHash('sha512').update('pw').update('salt').digest('hex');
    assert.ok(clientPasswordMatches({ _id: '1', clientID: 'c', passwordAlgorithm: 'sha512', passwordSalt: 'salt', passwordHash: hash }, 'pw'));
    assert.ok(!clientPasswordMatches({ _id: '1', clientID: 'c', passwordAlgorithm: 'sha512', passwordSalt: 'salt', passwordHash: hash }, 'other'));
    assert.ok(!clientPasswordMatches({ _id: '1', clientID: 'c', passwordAlgorithm: 'bcrypt', passwordHash: '$2a$...' }, 'pw'));
  });

  it('mediatorHeaders: every header of the answer but hop-by-hop ones, lower-cased, with the content type', () => {
    assert.deepEqual(mediatorHeaders({ 'Retry-After': '10', connection: 'close', 'content-length': '5', location: 'X/1' }, 'application/fhir+json'), {
      'retry-after': '10',
      location: 'X/1',
      'content-type': 'application/fhir+json',
    });
  });

  it('OPENHIM_AUTH must be auto, token or basic', () => {
    const env = {
      RECEIVER_USERNAME: 'u',
      RECEIVER_PASSWORD: 'p',
      FHIR_BASE_URL: 'https://hapi.example.org/fhir',
      OPENHIM_API_URL: 'https://o:8080',
      OPENHIM_USERNAME: 'a',
      OPENHIM_PASSWORD: 'b',
    };
    assert.equal(optionsFromEnv(env).openhim?.auth, 'auto');
    assert.equal(optionsFromEnv({ ...env, OPENHIM_AUTH: 'token' }).openhim?.auth, 'token');
    assert.throws(() => optionsFromEnv({ ...env, OPENHIM_AUTH: 'jwt' }), /OPENHIM_AUTH must be one of auto, token, basic, got "jwt"/);
  });
});
