import type { Resource } from 'fhir/r4';

interface Waiting {
  resources: Resource[];
  resolve: () => void;
  reject: (e: unknown) => void;
}

/**
 * Group commit: writes arriving while one runs share the next transaction.
 * Each still resolves only once the transaction holding it committed, and
 * all writes of a failed transaction reject with the same error.
 */
export class GroupCommit {
  private waiting: Waiting[] = [];
  private writing = false;

  constructor(
    /** Stores resources in one transaction; resolves once committed. */
    private readonly commit: (resources: Resource[]) => Promise<void>,
    /** Turns a failed commit into the error its writes reject with. */
    private readonly failure: (e: unknown) => unknown,
  ) {}

  /**
   * Queues `resources` for the next transaction. A write that has to wait
   * for its turn stores copies parsed from `json` (their serialisations), so
   * the caller may keep editing its objects; one that starts at once needs
   * none, as IndexedDB clones a value when it is put.
   */
  write(resources: Resource[], json: readonly string[]): Promise<void> {
    const stored = this.writing ? json.map((j) => JSON.parse(j) as Resource) : resources;
    return new Promise((resolve, reject) => {
      this.waiting.push({ resources: stored, resolve, reject });
      if (!this.writing) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.writing = true;
    while (this.waiting.length) {
      const group = this.waiting.splice(0);
      try {
        await this.commit(group.flatMap((g) => g.resources));
        group.forEach((g) => g.resolve());
      } catch (e) {
        const err = this.failure(e);
        group.forEach((g) => g.reject(err));
      }
    }
    this.writing = false;
  }
}
