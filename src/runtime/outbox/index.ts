/** cht-fhir browser outbox: a durable IndexedDB queue of FHIR R4 resources delivered as transaction Bundles. */
export { openOutbox, Outbox, DEFAULT_MAX_BACKOFF_MS, type OutboxOptions, type FlushResult, type QuarantineOutcome } from './outbox';
export { OutboxValidationError, OutboxQuotaError, OutboxAuthError } from './errors';
export type { OutboxEventMap, OutboxEventType } from './events';
export type { QuarantineEntry } from './schema';
export type { OutboxRecord } from './records';
export { checkResource, isWellFormedReference, type ValidationIssue, type ResourceValidator } from './validate';
export { SCHEMA_VERSION } from './schema';
