import type { Bundle } from 'fhir/r4';

/** What the receiver's answer to one transaction Bundle says. Pure: the sending is in deliver.ts. */

export type EntryVerdict = 'confirmed' | 'retry' | 'rejected';

/** What to do with the answer to one batch. */
export type BatchAnswer =
  /** A 2xx: the verdict on each entry, by position (all `confirmed` for a plain 2xx). */
  | { kind: 'entries'; verdicts: EntryVerdict[] }
  /** 401/403: the credentials were refused. */
  | { kind: 'auth'; reason: string }
  /** No use now, worth retrying later (5xx, 408, 429...). */
  | { kind: 'retry'; reason: string }
  /** The data was refused: `named` entries with their reasons, or (none named, one entry sent) the whole batch for `reason`. */
  | { kind: 'refused'; named: Map<number, string>; reason: string }
  /** Refused without naming entries: send each half on its own to isolate them. */
  | { kind: 'split' };

export function judgeAnswer(status: number, body: unknown, sent: number): BatchAnswer {
  if (status >= 200 && status < 300) return { kind: 'entries', verdicts: verdicts(sent, body) };
  const reason = reasonOf(status, body);
  if (status === 401 || status === 403) return { kind: 'auth', reason };
  if (statusVerdict(status) === 'retry') return { kind: 'retry', reason };
  const named = refusedEntries(status, body, sent);
  return named.size || sent === 1 ? { kind: 'refused', named, reason } : { kind: 'split' };
}

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
function statusVerdict(status: number): EntryVerdict {
  if (status >= 200 && status < 300) return 'confirmed';
  if (status >= 400 && status < 500 && status !== 408 && status !== 429 && status !== 401 && status !== 403) return 'rejected';
  return 'retry';
}

/** The reason the response entry at `i` of a 2xx answer gives for refusing its resource. */
export function entryReason(body: unknown, i: number): string {
  const response = (body as Bundle | undefined)?.entry?.[i]?.response;
  return reasonOf(Number(response?.status), response?.outcome);
}

/** A short human reason from an OperationOutcome or text body. */
function reasonOf(status: number, body: unknown): string {
  const issues = (body as { resourceType?: string; issue?: { diagnostics?: string; details?: { text?: string } }[] })?.issue;
  const text = Array.isArray(issues)
    ? issues
        .map((i) => i.diagnostics ?? i.details?.text)
        .filter(Boolean)
        .join('; ')
    : typeof body === 'string'
      ? body.slice(0, 200)
      : '';
  return `receiver answered ${status}${text ? `: ${text}` : ''}`;
}

/**
 * The entries a 4xx OperationOutcome refuses, by index, with the reasons
 * given for each (`receiver answered <status>: ...`): every issue must name an
 * entry in `expression` (`Bundle.entry[i]...`); an issue about the Bundle
 * as a whole (or an index outside the batch) gives none, and the batch is
 * refused as a whole.
 */
function refusedEntries(status: number, body: unknown, sent: number): Map<number, string> {
  const issues =
    (body as { resourceType?: string; issue?: unknown } | undefined)?.resourceType === 'OperationOutcome' ? (body as { issue?: unknown }).issue : undefined;
  const out = new Map<number, string[]>();
  if (!Array.isArray(issues) || !issues.length) return new Map();
  for (const issue of issues as { severity?: string; expression?: unknown; diagnostics?: string; details?: { text?: string } }[]) {
    if (issue?.severity !== 'error' && issue?.severity !== 'fatal') continue;
    const at = Array.isArray(issue.expression)
      ? issue.expression.map((e) => /^Bundle\.entry\[(\d+)\]/.exec(String(e))?.[1]).filter((x) => x !== undefined)
      : [];
    if (!at.length) return new Map();
    for (const i of at.map(Number)) {
      if (i >= sent) return new Map();
      const text = issue.diagnostics ?? issue.details?.text;
      out.set(i, [...(out.get(i) ?? []), ...(text ? [text] : [])]);
    }
  }
  return new Map([...out].map(([i, texts]) => [i, `receiver answered ${status}: ${texts.join('; ')}`]));
}
