import type { Bundle } from 'fhir/r4';

export type EntryVerdict = 'confirmed' | 'retry' | 'rejected';

/**
 * What a 2xx answer says about each sent entry, by position. A plain 2xx (or
 * a body that is not a response Bundle) confirms the whole transaction; a
 * batch-style response confirms only its 2xx entries.
 */
export function verdicts(sent: number, body: unknown): EntryVerdict[] {
  const b = body as Bundle | undefined;
  const isResponse = b?.resourceType === 'Bundle' && (b.type === 'transaction-response' || b.type === 'batch-response');
  if (!isResponse || !Array.isArray(b.entry) || b.entry.length !== sent) return new Array<EntryVerdict>(sent).fill('confirmed');
  return b.entry.map((e) => statusVerdict(parseInt(e.response?.status ?? '', 10)));
}

/** 2xx confirmed; 4xx other than 408/429 a permanent refusal of the data; anything else worth retrying. */
export function statusVerdict(status: number): EntryVerdict {
  if (status >= 200 && status < 300) return 'confirmed';
  if (status >= 400 && status < 500 && status !== 408 && status !== 429 && status !== 401 && status !== 403) return 'rejected';
  return 'retry';
}
