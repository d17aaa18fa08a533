/**
 * Per-resource serialisation inside one receiver: two pushes of the same
 * resource (CHT retry racing a browser outbox push) run one after the other,
 * so the second sees the first's write and changes nothing. Keys are taken in
 * sorted order, so overlapping sets cannot deadlock.
 */
export class KeyLock {
  private readonly tails = new Map<string, Promise<void>>();

  async run<T>(keys: string[], fn: () => Promise<T>): Promise<T> {
    const releases: (() => void)[] = [];
    try {
      for (const key of [...new Set(keys)].sort()) {
        const previous = this.tails.get(key) ?? Promise.resolve();
        let release: () => void = () => undefined;
        const mine = new Promise<void>((ok) => (release = ok));
        const tail = previous.then(() => mine);
        this.tails.set(key, tail);
        releases.push(() => {
          release();
          if (this.tails.get(key) === tail) this.tails.delete(key);
        });
        await previous;
      }
      return await fn();
    } finally {
      for (const r of releases) r();
    }
  }
}
