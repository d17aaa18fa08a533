import type { ChtClient } from './cht-client';
import type { JsonForm } from './cht-docs';
import { Refused } from './refused';

/**
 * The JSON forms CHT actually has (app settings `forms`), read at start-up
 * and again at most once a minute. A record for a form CHT lacks would be
 * refused by CHT's records service (500 `Form not found: X`) on every retry:
 * it is refused here instead, with CHT's reason, and a fix in CHT's settings
 * is picked up within the minute.
 */
const FRESH_MS = 60_000;

export class FormCheck {
  private forms?: Record<string, JsonForm>;
  private readAt = 0;

  constructor(
    private readonly cht: ChtClient,
    private readonly now: () => number = Date.now,
  ) {}

  /** Reads CHT's forms; the codes of `wanted` CHT does not have. */
  async missing(wanted: string[], deadline: number): Promise<string[]> {
    await this.read(deadline);
    return wanted.map((c) => c.toUpperCase()).filter((c) => !this.forms![c]);
  }

  async form(code: string, deadline: number): Promise<JsonForm> {
    if (!this.forms || this.now() - this.readAt > FRESH_MS) await this.read(deadline);
    const form = this.forms![code.toUpperCase()];
    if (!form)
      throw new Refused(
        'not-supported',
        `CHT has no JSON form ${code.toUpperCase()} (CHT: "Form not found: ${code.toUpperCase()}"): add it to CHT's app settings 'forms'; nothing was written`,
      );
    return form;
  }

  private async read(deadline: number): Promise<void> {
    this.forms = await this.cht.jsonForms(deadline);
    this.readAt = this.now();
  }
}
