import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { ServiceRequest } from 'fhir/r4';
import { startFhirServer } from '../src/doubles/fhir-store';
import { startReceiver } from '../src/runtime/receiver';
import { compileDefinitions } from '../src/compiler/definitions/compile';
import { resourceId, systems } from '../src/core/identity';
import { ROOT, referenceModel } from '../harness/repo';
import { startChtStandIn } from '../harness/stand-ins/cht-api';
import { rawRequest, basic } from '../harness/stand-ins/raw-http';
import { sampleContacts } from '../harness/samples';

/**
 * FHIR -> CHT on a big CHT database: the CHT stand-in holds 1,000,000 docs
 * (its `_find` reads every one, as CouchDB does without an index). Each
 * referral is created, resent and updated through the receiver; the figures
 * are the receiver's round trip per request, beside one `_find` on the same
 * data (what the lookup cost before deterministic doc ids).
 */
const DOCS = 1_000_000;
const N = 30;
const CREDS = { username: 'bench', password: 'bench-password' };

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];

export async function benchInbound(): Promise<void> {
  const forms = JSON.parse(fs.readFileSync(path.join(ROOT, 'app_settings/forms.json'), 'utf8'));
  const { model } = compileDefinitions(ROOT);
  const fhir = await startFhirServer();
  const cht = await startChtStandIn({ forms, docs: sampleContacts(), filler: DOCS });
  const receiver = await startReceiver({ auth: CREDS, fhirBaseUrl: fhir.url, inbound: { chtUrl: cht.urlWithCredentials, model: referenceModel() } });
  const subject = {
    reference: `Patient/${resourceId(model.deployment, 'Patient', 'woman-1')}`,
    identifier: { system: systems(model.deployment).chtId, value: 'woman-1' },
  };
  const referral = (i: number, version: string, reason: string): ServiceRequest => ({
    resourceType: 'ServiceRequest',
    id: `bench-sr-${i}`,
    meta: { versionId: version },
    status: 'active',
    intent: 'order',
    subject,
    reasonCode: [{ text: reason }],
    authoredOn: '2026-11-20T09:00:00Z',
  });
  const send = async (sr: ServiceRequest) => {
    const t = performance.now();
    const res = await rawRequest(`${receiver.url}/fhir/ServiceRequest/${sr.id}`, {
      method: 'PUT',
      headers: { authorization: basic(CREDS.username, CREDS.password), 'content-type': 'application/fhir+json' },
      body: JSON.stringify(sr),
      timeoutMs: 30000,
    });
    if (res.status >= 300) throw new Error(`inbound bench: ${res.status} ${res.text.slice(0, 200)}`);
    return performance.now() - t;
  };
  try {
    // The first request loads the validator: not a figure of the lookup.
    await send(referral(-1, '1', 'warm-up'));
    const rows: Array<[string, number[]]> = [
      ['create', []],
      ['resend (same version)', []],
      ['update (new version)', []],
    ];
    for (let i = 0; i < N; i++) {
      rows[0][1].push(await send(referral(i, '1', 'Fast breathing')));
      rows[1][1].push(await send(referral(i, '1', 'Fast breathing')));
      rows[2][1].push(await send(referral(i, '2', 'Fast breathing and fever')));
    }
    const t = performance.now();
    await rawRequest(`${cht.urlWithCredentials.replace(/\/$/, '')}/medic/_find`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ selector: { 'fields.fhir_source': 'x' } }),
      timeoutMs: 60000,
    });
    const scan = performance.now() - t;
    console.log(`\n== FHIR -> CHT on a CHT stand-in holding ${DOCS.toLocaleString('en')} docs (${N} referrals) ==`);
    for (const [label, ms] of rows)
      console.log(`${label.padEnd(24)} p50 ${pct(ms, 50).toFixed(1)} ms  p99 ${pct(ms, 99).toFixed(1)} ms  max ${Math.max(...ms).toFixed(1)} ms`);
    console.log(
      `one unindexed _find on the same data (the lookup before deterministic ids): ${scan.toFixed(0)} ms; full scans during the run: ${cht.fullScans - 1}`,
    );
  } finally {
    await receiver.close();
    await cht.close();
    await fhir.close();
  }
}
