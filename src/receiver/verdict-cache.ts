import { createHash } from 'node:crypto';

/**
 * Bodies already found valid, by SHA-256 of their exact bytes. CHT retries
 * and re-pushes byte-identical payloads (a payload is a pure function of the
 * doc), and validation is a pure function of those bytes, so a hit may skip
 * the R4 validation (the most expensive step) and nothing else. Only valid
 * verdicts are kept, so an invalid body is always validated (and refused).
 * Bounded: the least recently used digest goes first (a digest is ~100 bytes).
 */
export class ValidBodies {
  private readonly seen = new Map<string, true>();

  constructor(private readonly max = 20_000) {}

  static key(raw: Buffer): string {
    return createHash('sha256').update(raw).digest('base64');
  }

  has(key: string): boolean {
    if (!this.seen.has(key)) return false;
    // Map keeps insertion order: re-inserting marks it most recently used.
    this.seen.delete(key);
    this.seen.set(key, true);
    return true;
  }

  add(key: string): void {
    this.seen.delete(key);
    this.seen.set(key, true);
    if (this.seen.size > this.max) this.seen.delete(this.seen.keys().next().value as string);
  }

  get size(): number {
    return this.seen.size;
  }
}
