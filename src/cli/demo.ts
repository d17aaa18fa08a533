import fs from 'node:fs';
import path from 'node:path';
import type { Bundle, FhirResource } from 'fhir/r4';
import { startFhirServer, type FhirServer } from '../doubles/fhir-store';
import { mediatorConfig, startReceiver, type Receiver } from '../runtime/receiver';
import { OpenhimApi } from '../runtime/receiver/openhim-api';
import { setupOpenhim } from '../runtime/receiver/openhim-setup';
import { launchOpenhim, type LaunchedOpenhim } from './openhim-launch';
import { preloadR4Definitions, validateR4 } from '../fhir-validation';
import { isRelevant, mapPayload, type OutboundEntry } from '../doubles/cht-outbound-push/cht-outbound';
import { hydrate } from '../doubles/cht-outbound-push/hydrate';
import { UsageError } from './usage-error';
import { projectAt } from '../compiler/definitions/project';
import { compileDefinitions } from '../compiler/definitions/compile';
import { questionnaireBundle } from '../compiler/definitions/questionnaire';
import { filesIn } from '../compiler/definitions/folder';

/**
 * `cht-fhir demo`: the whole outbound path on this machine. The sample CHT
 * docs go through the outbound entries of app_settings exactly as CHT runs
 * them, twice (CHT delivers at least once), into the receiver and a FHIR
 * server; then every stored resource is validated and counted.
 */
export interface DemoOptions {
  /** The cht-conf project whose built settings are pushed. */
  root: string;
  port: number;
  fhirPort: number;
  host: string;
  /** Push to this FHIR server instead of the embedded one. */
  fhirBaseUrl?: string;
  docs: string;
  log: (line: string) => void;
  progress: (done: number, total: number) => void;
  /** Put a real OpenHIM (tools/openhim, 4.0.5) between "CHT" and the receiver. */
  openhim?: boolean;
}

export interface DemoSummary {
  docs: number;
  pushes: number;
  failedPushes: number;
  resources: Record<string, number>;
  invalid: number;
  duplicates: number;
  seconds: number;
  urls: { receiver: string; fhir: string };
  /** With --openhim: where it runs and the transactions it stored, by status. */
  openhim?: { version: string; apiUrl: string; routerUrl: string; username: string; password: string; transactions: Record<string, number> };
}

type Doc = Record<string, unknown> & { _id: string };
const TYPES = [
  'Questionnaire',
  'CodeSystem',
  'StructureDefinition',
  'Patient',
  'Practitioner',
  'PractitionerRole',
  'Organization',
  'Location',
  'Encounter',
  'Observation',
  'Condition',
  'Immunization',
  'Procedure',
  'Appointment',
  'QuestionnaireResponse',
  'Task',
];
const CREDS = { username: 'cht', password: 'demo-only-password' };
/** The OpenHIM client the demo's "CHT" logs in as (--openhim). */
const CHT_CLIENT = { clientID: 'cht-outbound', password: 'demo-only-client-password', roles: ['cht'], name: 'CHT (demo)' };

function readDocs(dir: string): Doc[] {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new UsageError(`cannot read sample docs in ${dir}`, 'pass --docs <folder of JSON files>');
  const files = filesIn(dir, '.json');
  const docs: Doc[] = [];
  for (const f of files) {
    try {
      const data = JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as Doc | Doc[];
      docs.push(...(Array.isArray(data) ? data : [data]));
    } catch (e) {
      throw new UsageError(`${path.join(dir, f)} is not JSON: ${(e as Error).message}`, 'fix or remove the file');
    }
  }
  return docs;
}

async function listen<T>(what: string, port: number, start: () => Promise<T>): Promise<T> {
  try {
    return await start();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EADDRINUSE')
      throw new UsageError(`port ${port} for the ${what} is in use`, `stop what uses it or pass ${what === 'receiver' ? '--port' : '--fhir-port'} <free port>`);
    throw e;
  }
}

async function reachable(base: string): Promise<void> {
  try {
    const res = await fetch(`${base.replace(/\/+$/, '')}/metadata`, { signal: AbortSignal.timeout(5000) });
    if (res.status >= 500) throw new Error(`it answered ${res.status}`);
  } catch (e) {
    throw new UsageError(
      `the FHIR server at ${base} is unreachable (${(e as Error).message})`,
      'start it, or leave out --fhir-base-url / FHIR_BASE_URL to use the embedded one',
    );
  }
}

async function storedCounts(base: string): Promise<{ counts: Record<string, number>; resources: FhirResource[] }> {
  const counts: Record<string, number> = {};
  const resources: FhirResource[] = [];
  for (const type of TYPES) {
    // Servers cap the page size (HAPI JPA: pages of at most 50 by default): follow `next`.
    let url: string | undefined = `${base}/${type}?_count=10000`;
    counts[type] = 0;
    for (let page = 0; url && page < 1000; page++) {
      const b = (await fetch(url, { headers: { 'cache-control': 'no-cache' } }).then((r) => r.json())) as Bundle; // HAPI caches searches 60 s
      counts[type] += b.entry?.length ?? 0;
      for (const e of b.entry ?? []) resources.push(e.resource as FhirResource);
      url = b.link?.find((l) => l.relation === 'next')?.url;
    }
  }
  return { counts, resources };
}

export async function runDemo(opts: DemoOptions): Promise<{ summary: DemoSummary; stop: () => Promise<void> }> {
  const started = Date.now();
  const input = demoInput(opts);
  const servers = await startServers(opts);
  opts.log(`receiver ${servers.receiver.url}  FHIR server ${servers.base}`);
  if (servers.fhir)
    opts.log('warning: the FHIR server is the embedded in-memory store: everything in it is lost when the demo exits (--fhir-base-url for a real one)');
  try {
    const target = await pushTarget(opts, servers);
    await pushQuestionnaires(opts, target);
    const pushed = await pushSamples(opts, input, target, servers.base);
    return { summary: await summarize(input, servers, target, pushed, started), stop: servers.stop };
  } catch (e) {
    await servers.stop();
    throw e;
  }
}

/** The sample docs (the contacts among them) and the outbound entries of the built app settings. */
interface DemoInput {
  docs: Doc[];
  contacts: Doc[];
  entries: [string, OutboundEntry][];
}

function demoInput(opts: DemoOptions): DemoInput {
  const docs = readDocs(opts.docs);
  const contacts = docs.filter((d) => d.type !== 'data_record');
  const settings = JSON.parse(fs.readFileSync(projectAt(opts.root).settingsFile, 'utf8')) as { outbound?: Record<string, OutboundEntry> };
  const entries = Object.entries(settings.outbound ?? {});
  if (!entries.length) throw new UsageError('app_settings has no outbound entries', 'run `cht-fhir build` first');
  preloadR4Definitions();
  return { docs, contacts, entries };
}

/** What the demo runs: the FHIR server (`fhir` when embedded) at `base`, OpenHIM (--openhim), the receiver. */
interface DemoServers {
  fhir?: FhirServer;
  base: string;
  openhim?: LaunchedOpenhim;
  receiver: Receiver;
  stop: () => Promise<void>;
}

/** The FHIR server, OpenHIM (--openhim) and the receiver; what started is stopped again when a later one fails. */
async function startServers(opts: DemoOptions): Promise<DemoServers> {
  const { fhir, base } = await startFhir(opts);
  let openhim: LaunchedOpenhim | undefined;
  try {
    if (opts.openhim) {
      opts.log('starting OpenHIM (tools/openhim: openhim-core 4.0.5 on an in-memory MongoDB; the first run builds it)');
      openhim = await launchOpenhim();
    }
    const receiver = await startDemoReceiver(opts, base, openhim);
    const stop = async () => {
      await receiver.close();
      await openhim?.stop();
      await fhir?.close();
    };
    return { fhir, base, openhim, receiver, stop };
  } catch (e) {
    await openhim?.stop();
    await fhir?.close();
    throw e;
  }
}

/** The FHIR server given (checked reachable), else the embedded one started. */
async function startFhir(opts: DemoOptions): Promise<{ fhir?: FhirServer; base: string }> {
  if (opts.fhirBaseUrl) {
    await reachable(opts.fhirBaseUrl);
    return { base: opts.fhirBaseUrl };
  }
  const fhir = await listen('FHIR server', opts.fhirPort, () => startFhirServer({ port: opts.fhirPort, host: opts.host }));
  return { fhir, base: fhir.url };
}

/** The receiver in front of the FHIR server at `base`, registering with OpenHIM when it runs. */
function startDemoReceiver(opts: DemoOptions, base: string, openhim: LaunchedOpenhim | undefined): Promise<Receiver> {
  const registration = openhim
    ? { apiUrl: openhim.apiUrl, username: openhim.username, password: openhim.password, trustSelfSigned: true, mediatorHost: opts.host }
    : undefined;
  return listen('receiver', opts.port, () => startReceiver({ auth: CREDS, fhirBaseUrl: base, host: opts.host, port: opts.port, openhim: registration }));
}

/** Where "CHT" pushes, as whom: the receiver directly, or (--openhim) OpenHIM's router, whose API is then kept for the summary. */
interface PushTarget {
  base: string;
  auth: string;
  openhimApi?: OpenhimApi;
}

async function pushTarget(opts: DemoOptions, servers: DemoServers): Promise<PushTarget> {
  const { receiver, openhim } = servers;
  if (!openhim) return { base: receiver.url, auth: basicAuth(CREDS.username, CREDS.password) };
  let openhimApi: OpenhimApi;
  try {
    openhimApi = await setupDemoOpenhim(opts, receiver, openhim);
  } catch (e) {
    await servers.stop();
    throw e;
  }
  // "CHT" pushes to OpenHIM's router as its client; the channel routes to the receiver.
  opts.log(`OpenHIM ${openhim.version}: router ${openhim.routerUrl}  API ${openhim.apiUrl}`);
  return { base: openhim.routerUrl, auth: basicAuth(CHT_CLIENT.clientID, CHT_CLIENT.password), openhimApi };
}

/** Once the receiver is registered: OpenHIM's channel to it and the client "CHT" logs in as. */
async function setupDemoOpenhim(opts: DemoOptions, receiver: Receiver, openhim: LaunchedOpenhim): Promise<OpenhimApi> {
  await receiver.openhimRegistered;
  const api = new OpenhimApi({ apiUrl: openhim.apiUrl, username: openhim.username, password: openhim.password, trustSelfSigned: true }, () => undefined);
  const port = Number(new URL(receiver.url).port);
  for (const line of await setupOpenhim(api, mediatorConfig({ host: opts.host, port, auth: CREDS }), CHT_CLIENT)) opts.log(`OpenHIM: ${line}`);
  return api;
}

function basicAuth(username: string, password: string): string {
  return 'Basic ' + Buffer.from(`${username}:${password}`).toString('base64');
}

function post(target: PushTarget, path: string, body: unknown): Promise<Response> {
  return fetch(`${target.base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: target.auth },
    body: JSON.stringify(body),
  });
}

/**
 * The forms' Questionnaires first, through the receiver like any bundle: the
 * QuestionnaireResponses that follow then point at something.
 */
async function pushQuestionnaires(opts: DemoOptions, target: PushTarget): Promise<void> {
  const questionnaires = questionnaireBundle(compileDefinitions(opts.root));
  const q = await post(target, '/cht-fhir/push', questionnaires);
  if (!q.ok) opts.log(`the Questionnaires were refused (${q.status}): ${(await q.text()).slice(0, 300)}`);
}

/** Pushes made and refused (in CHT or by the receiver). */
interface Pushed {
  pushes: number;
  failedPushes: number;
}

/** CHT delivers at least once: every doc goes through twice. */
const PASSES = 2;

/** Every sample doc, every pass; `afterFirst` counts what the FHIR server held after the first pass. */
async function pushSamples(
  opts: DemoOptions,
  input: DemoInput,
  target: PushTarget,
  fhirBase: string,
): Promise<Pushed & { afterFirst: Record<string, number> }> {
  const { docs } = input;
  const pushed: Pushed = { pushes: 0, failedPushes: 0 };
  const total = docs.length * PASSES;
  let afterFirst: Record<string, number> = {};
  for (let pass = 1; pass <= PASSES; pass++) {
    for (const doc of docs) {
      const one = await pushDoc(opts, input, target, doc);
      pushed.pushes += one.pushes;
      pushed.failedPushes += one.failedPushes;
      opts.progress((pass - 1) * docs.length + docs.indexOf(doc) + 1, total);
    }
    if (pass === 1) afterFirst = (await storedCounts(fhirBase)).counts;
  }
  return { ...pushed, afterFirst };
}

/** One doc through each outbound entry relevant to it, mapped and pushed as CHT does. */
async function pushDoc(opts: DemoOptions, input: DemoInput, target: PushTarget, doc: Doc): Promise<Pushed> {
  const pushed: Pushed = { pushes: 0, failedPushes: 0 };
  const hydrated = hydrate(doc, input.contacts);
  for (const [name, entry] of input.entries) {
    if (!isRelevant(entry, hydrated)) continue;
    pushed.pushes++;
    let payload: Record<string, unknown>;
    try {
      payload = mapPayload(entry, name, hydrated);
    } catch (e) {
      pushed.failedPushes++;
      opts.log(`push of ${doc._id} fails in CHT: ${(e as Error).message}`);
      continue;
    }
    // Pushed with the entry's path, to the receiver directly or (--openhim) through OpenHIM's router.
    const res = await post(target, entry.destination.path, payload);
    if (!res.ok) {
      pushed.failedPushes++;
      opts.log(`push of ${doc._id} refused (${res.status}): ${(await res.text()).slice(0, 300)}`);
    }
  }
  return pushed;
}

/** What the FHIR server holds now: counts by type, duplicates (growth since the first pass), invalid resources. */
async function summarize(
  input: DemoInput,
  servers: DemoServers,
  target: PushTarget,
  pushed: Pushed & { afterFirst: Record<string, number> },
  started: number,
): Promise<DemoSummary> {
  const { counts, resources } = await storedCounts(servers.base);
  const duplicates = Object.keys(counts).reduce((n, t) => n + Math.max(0, (counts[t] ?? 0) - (pushed.afterFirst[t] ?? 0)), 0);
  const invalid = invalidCount(resources);
  const seconds = (Date.now() - started) / 1000;
  const { openhim } = servers;
  return {
    docs: input.docs.length,
    pushes: pushed.pushes,
    failedPushes: pushed.failedPushes,
    resources: counts,
    invalid,
    duplicates,
    seconds,
    urls: { receiver: servers.receiver.url, fhir: servers.base },
    ...(openhim && target.openhimApi ? { openhim: await openhimSummary(openhim, target.openhimApi) } : {}),
  };
}

/** Resources that fail R4 validation (their `meta`, which the server sets, left out). */
function invalidCount(resources: FhirResource[]): number {
  let invalid = 0;
  for (const r of resources) {
    const { meta: _meta, ...content } = r;
    if (validateR4(content).length) invalid++;
  }
  return invalid;
}

async function openhimSummary(openhim: LaunchedOpenhim, api: OpenhimApi): Promise<NonNullable<DemoSummary['openhim']>> {
  return {
    version: openhim.version,
    apiUrl: openhim.apiUrl,
    routerUrl: openhim.routerUrl,
    username: openhim.username,
    password: openhim.password,
    transactions: await transactionCounts(api),
  };
}

/** OpenHIM's stored transactions by status (Successful, Completed, Failed...). */
async function transactionCounts(api: OpenhimApi): Promise<Record<string, number>> {
  const txs = await api.json<{ status: string }[]>('GET', '/transactions?filterLimit=100000');
  const counts: Record<string, number> = {};
  for (const t of txs) counts[t.status] = (counts[t.status] ?? 0) + 1;
  return counts;
}
