/** cht-fhir browser outbox: a durable IndexedDB queue of FHIR R4 resources delivered as transaction Bundles. */
export { openOutbox, Outbox } from './outbox';
export { DEFAULT_MAX_BACKOFF_MS, type OutboxOptions } from './options';
export type { FlushResult } from './flush-run';
export type { QuarantineOutcome } from './quarantine-store';
export { OutboxValidationError, OutboxQuotaError, OutboxAuthError } from './errors';
export type { OutboxEventMap, OutboxEventType } from './events';
export type { QuarantineEntry } from './schema';
export type { OutboxRecord } from './records';
export { checkResource, isWellFormedReference, type ValidationIssue, type ResourceValidator } from './validate';
export { SCHEMA_VERSION } from './schema';
