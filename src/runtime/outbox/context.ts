import type { OutboxEventMap, OutboxEventType } from './events';
import type { OutboxOptions } from './options';
import type { OutboxDB } from './store';

/** Reports an event on the outbox. */
export type Emit = <K extends OutboxEventType>(type: K, detail: OutboxEventMap[K]) => void;

/** What the parts of one open outbox share: its database, options, identity and lifetime. */
export interface OutboxContext {
  readonly db: OutboxDB;
  readonly opts: OutboxOptions;
  /** This queue's id: versions go out as source version `urn:uuid:<id>#<rev>` (source-version.ts). */
  readonly id: string;
  /** Aborts any request in flight when the outbox closes. */
  readonly signal: AbortSignal;
  readonly closed: () => boolean;
  readonly emit: Emit;
}

/** What one flush run gives the code sending its batches. */
export interface RunLink {
  /** Renews the fallback lease before each request (nothing to do under Web Locks); throws if it was lost. */
  renew(): Promise<void>;
  /** A request was answered: the next failure starts the backoff from the beginning. */
  progressed(): void;
}
