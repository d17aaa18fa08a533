/** Status events, as `CustomEvent`s whose `detail` is typed here. */
export interface OutboxEventMap {
  /** Records stored (and replacing earlier versions of the same keys). */
  queued: { keys: string[] };
  /** A transaction Bundle is going out. */
  sending: { keys: string[] };
  /** The receiver confirmed these; `replaced` were changed while in flight and stay queued. */
  delivered: { keys: string[]; replaced: string[] };
  /** A delivery failed; the next attempt runs after `delayMs` (or on the `online` event). */
  retry: { attempt: number; delayMs: number; error: string };
  /** Values moved to the quarantine store: corrupted, foreign, or refused by the receiver. */
  quarantined: { entries: { key: string; reason: string }[] };
  /** Storage problems: a quota refusal (`quota`) or the database going away (`storage`). */
  error: { kind: 'quota' | 'storage'; message: string };
  /** A flush found the queue empty. */
  idle: Record<string, never>;
}

export type OutboxEventType = keyof OutboxEventMap;

/** EventTarget with a typed `on()` that returns its own unsubscribe. */
export class OutboxEvents extends EventTarget {
  on<K extends OutboxEventType>(type: K, listener: (detail: OutboxEventMap[K]) => void): () => void {
    const wrapped = (e: Event) => listener((e as CustomEvent<OutboxEventMap[K]>).detail);
    this.addEventListener(type, wrapped);
    return () => this.removeEventListener(type, wrapped);
  }

  protected emit<K extends OutboxEventType>(type: K, detail: OutboxEventMap[K]): void {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }
}
