import type { LateCommits } from './deliver';
import type { FhirCall } from './fhir-client';
import type { Logger } from './log';

/**
 * The late-commit checks running now (see deliver.ts): each is logged when
 * it ends, and `done()` lets a caller (a test, a stopping receiver) wait for
 * them. `ms` 0 turns late answers off.
 */
export class LateChecks {
  private readonly running = new Set<Promise<unknown>>();

  constructor(
    private readonly ms: number,
    private readonly deadlineMs: number,
    private readonly log: Logger,
  ) {}

  /** What deliver() needs for one push started at `started`. */
  forPush(deadline: number): LateCommits | undefined {
    if (this.ms <= 0) return undefined;
    return { until: deadline + this.ms, checkMs: this.deadlineMs, track: (check, calls) => this.track(check, calls) };
  }

  done(): Promise<void> {
    return Promise.all([...this.running]).then(() => undefined);
  }

  private track(check: Promise<string[]>, calls: FhirCall[]): void {
    const logged = check.then(
      (restored) => this.log(restored.length ? 'warn' : 'info', 'late commit checked', { restored: restored.length, fhirCalls: calls.length }),
      (e: Error) => this.log('error', 'late commit check failed', { error: e.message, fhirCalls: calls.length }),
    );
    this.running.add(logged);
    void logged.finally(() => this.running.delete(logged));
  }
}
