import type { BackoffOptions } from './backoff';
import type { HeadersOption } from './send';
import type { ResourceValidator } from './validate';

export interface OutboxOptions {
  /** IndexedDB database name (default `cht-fhir-outbox`); one queue per name. */
  name?: string;
  /** Where transaction Bundles are POSTed, e.g. `https://receiver.example.org/cht-fhir/push`. */
  endpoint: string;
  /**
   * The deployment's canonical base, e.g. `https://fhir.example.org` (its
   * `identifier_base` without `/sid`): the source-version extension each
   * resource carries lives under it (`<base>/StructureDefinition/source-version`).
   */
  canonicalBase: string;
  /** Extra request headers (e.g. `authorization`), or a function giving them per request. */
  headers?: HeadersOption;
  fetch?: typeof fetch;
  /** Full validator run after the structural checks (e.g. R4 profile validation). */
  validate?: ResourceValidator;
  /** Resources per transaction (default 50, the embedded FHIR router's update limit per transaction). */
  batchSize?: number;
  /** Largest serialised resource accepted by `enqueue`, in characters. */
  maxResourceChars?: number;
  backoff?: BackoffOptions;
  /** Flush on open (what an earlier page left queued), after each enqueue, on the backoff timer and on `online` (default true). */
  autoFlush?: boolean;
  /** Per-request timeout (default 30 s). */
  timeoutMs?: number;
}

export const DEFAULT_NAME = 'cht-fhir-outbox';
/** Default ceiling of the retry delay: one minute (before jitter, which only lowers it). */
export const DEFAULT_MAX_BACKOFF_MS = 60_000;
export const DEFAULT_BATCH_SIZE = 50;
export const DEFAULT_TIMEOUT_MS = 30_000;

/** Throws when `openOutbox` was given options it cannot work with. */
export function checkOptions(opts: OutboxOptions): void {
  if (!opts?.endpoint) throw new Error('openOutbox: endpoint is required');
  if (!/^https?:\/\/\S+$/.test(opts.canonicalBase ?? ''))
    throw new Error("openOutbox: canonicalBase is required: the deployment's canonical base, e.g. https://fhir.example.org (identifier_base without /sid)");
}

export function autoFlushes(opts: OutboxOptions): boolean {
  return opts.autoFlush !== false;
}
