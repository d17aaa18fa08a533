import type { Bundle, FhirResource, OperationOutcome } from 'fhir/r4';

/** Plain FHIR REST calls to a server under test (HAPI, or the embedded store over HTTP). */
export async function fhirCall(base: string, method: string, path: string, body?: unknown): Promise<{ status: number; headers: Headers; json: any }> {
  const res = await fetch(`${base}${path ? `/${path}` : ''}`, {
    method,
    // no-cache: HAPI reuses a search's results for 60 s by default (reuse_cached_search_results_millis).
    headers: { accept: 'application/fhir+json', 'cache-control': 'no-cache', ...(body ? { 'content-type': 'application/fhir+json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
    signal: AbortSignal.timeout(60_000),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, json: text ? JSON.parse(text) : undefined };
}

export const transaction = (base: string, resources: (FhirResource & { id: string })[], request: Record<string, string>[] = []): Bundle => ({
  resourceType: 'Bundle',
  type: 'transaction',
  entry: resources.map((r, i) => ({
    fullUrl: `${base}/${r.resourceType}/${r.id}`,
    resource: r,
    request: { method: 'PUT', url: `${r.resourceType}/${r.id}`, ...request[i] },
  })),
});

/** Reads `<Type>/<id>` keys in batches of 100: the stored resource of each key found. */
export async function readKeys(base: string, keys: string[]): Promise<Map<string, FhirResource>> {
  const out = new Map<string, FhirResource>();
  for (let i = 0; i < keys.length; i += 100) {
    const chunk = keys.slice(i, i + 100);
    const { status, json } = await fhirCall(base, 'POST', '', {
      resourceType: 'Bundle',
      type: 'batch',
      entry: chunk.map((k) => ({ request: { method: 'GET', url: k } })),
    });
    if (status !== 200) throw new Error(`batch read answered ${status}`);
    (json as Bundle).entry!.forEach((e, j) => e.resource && out.set(chunk[j], e.resource as FhirResource));
  }
  return out;
}

/** How many resources of `type` the server holds (`_summary=count`). */
export async function countOf(base: string, type: string): Promise<number> {
  const { status, json } = await fhirCall(base, 'GET', `${type}?_summary=count`);
  if (status !== 200) throw new Error(`count of ${type} answered ${status}`);
  return (json as Bundle).total ?? NaN;
}

/** Every version of one resource, newest first (`_offset=0`: HAPI otherwise cuts the list to a cached total). */
export async function historyOf(base: string, key: string): Promise<FhirResource[]> {
  const { status, json } = await fhirCall(base, 'GET', `${key}/_history?_count=1000&_offset=0`);
  if (status !== 200) throw new Error(`history of ${key} answered ${status}`);
  return ((json as Bundle).entry ?? []).map((e) => e.resource as FhirResource);
}

/** The diagnostics (HAPI) or details text (others) of an OperationOutcome, joined. */
export const outcomeText = (o: OperationOutcome) => o.issue.map((i) => i.diagnostics ?? i.details?.text ?? '').join(' | ');
