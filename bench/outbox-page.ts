/**
 * The page half of the outbox benchmark, as source text served to Chromium:
 * it imports the built module, measures, and POSTs the figures back.
 */
export function benchPage(opts: { pushUrl: string; authorization: string; records: number }): string {
  return `<!doctype html><meta charset="utf-8"><title>outbox bench</title><script type="module">
const N = ${opts.records};
const report = (r) => fetch('/result', { method: 'POST', body: JSON.stringify(r) });
const patient = (i, run) => ({ resourceType: 'Patient', id: run + '-' + i, identifier: [{ system: 'urn:cht-fhir:bench', value: String(i) }],
  name: [{ family: 'Bench', given: ['P' + i] }], gender: i % 2 ? 'female' : 'male', birthDate: '1990-01-01' });
try {
  const { openOutbox } = await import('/cht-fhir-outbox.js');
  // Baselines: the same records as raw IndexedDB puts, with the outbox's durability (the default) and
  // resolving on commit as it does, but no validation, copy, squash or ordering: one put per
  // transaction (compared with enqueue), 500 puts per transaction (compared with enqueueMany).
  // Raw and outbox runs alternate in chunks, so a machine shared with other work slows both alike.
  const raw = await new Promise((ok, ko) => { const r = indexedDB.open('bench-raw', 1); r.onupgradeneeded = () => r.result.createObjectStore('r', { keyPath: 'key' }); r.onsuccess = () => ok(r.result); r.onerror = () => ko(r.error); });
  const rawTx = (resources) => new Promise((ok, ko) => { const tx = raw.transaction('r', 'readwrite'); for (const resource of resources) tx.objectStore('r').put({ key: 'Patient/' + resource.id, resource }); tx.oncomplete = ok; tx.onerror = () => ko(tx.error); tx.onabort = () => ko(tx.error); });
  // Time spent waiting for the receiver, to tell outbox cost from receiver cost.
  let receiverMs = 0;
  const timedFetch = async (u, init) => { const t0 = performance.now(); const r = await fetch(u, init); const body = await r.text(); receiverMs += performance.now() - t0; return new Response(body, { status: r.status }); };
  const outbox = await openOutbox({ name: 'bench-outbox', endpoint: ${JSON.stringify(opts.pushUrl)}, canonicalBase: 'https://fhir.example.org', headers: { authorization: ${JSON.stringify(opts.authorization)} }, fetch: timedFetch, autoFlush: false, batchSize: Number(new URLSearchParams(location.search).get('b') || 50) });
  const CHUNK = 250;
  let rawMs = 0;
  let enqueueMs = 0;
  let t;
  for (let i = 0; i < N; i += CHUNK) {
    const end = Math.min(N, i + CHUNK);
    t = performance.now();
    for (let j = i; j < end; j++) await rawTx([patient(j, 'raw')]);
    rawMs += performance.now() - t;
    t = performance.now();
    for (let j = i; j < end; j++) await outbox.enqueue(patient(j, 'seq'));
    enqueueMs += performance.now() - t;
  }
  t = performance.now();
  const flushed = await outbox.flush();
  const flushMs = performance.now() - t;
  // Concurrent callers share transactions (group commit).
  t = performance.now();
  await Promise.all(Array.from({ length: N }, (_, i) => outbox.enqueue(patient(i, 'par'))));
  const parallelMs = performance.now() - t;
  // Callers holding many records: enqueueMany, 500 per call (one transaction each), beside raw batched puts.
  let rawManyMs = 0;
  let manyMs = 0;
  for (let i = 0; i < N; i += 500) {
    const n = Math.min(500, N - i);
    t = performance.now();
    await rawTx(Array.from({ length: n }, (_, j) => patient(i + j, 'rawmany')));
    rawManyMs += performance.now() - t;
    t = performance.now();
    await outbox.enqueueMany(Array.from({ length: n }, (_, j) => patient(i + j, 'many')));
    manyMs += performance.now() - t;
  }
  raw.close();
  const pending = await outbox.pending();
  outbox.close();
  await report({ ok: true, records: N, rawMs, rawManyMs, enqueueMs, parallelMs, manyMs, flushMs, receiverMs, flushed, pending });
} catch (e) {
  await report({ ok: false, error: String(e && e.stack || e) });
}
</script>`;
}
