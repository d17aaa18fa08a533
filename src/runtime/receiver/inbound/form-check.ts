import type { ChtClient } from './cht-client';
import type { JsonForm } from './cht-docs';
import { Refused } from '../failure';

/**
 * The JSON forms CHT actually has (app settings `forms`). A record for a form
 * CHT lacks would be refused by CHT's records service (500 `Form not found:
 * X`), and one for a form removed from the settings would be written all the
 * same by a direct doc write: so before each record, the settings doc's
 * `_rev` is checked (one HEAD, no body) and the forms read again when it
 * changed. A fix, or a removal, in CHT's settings counts from the next record.
 */
export class FormCheck {
  private forms?: Record<string, JsonForm>;
  private rev?: string;

  constructor(private readonly cht: ChtClient) {}

  /** Reads CHT's forms; the codes of `wanted` CHT does not have. */
  async missing(wanted: string[], deadline: number): Promise<string[]> {
    await this.read(deadline);
    return wanted.map((c) => c.toUpperCase()).filter((c) => !this.forms![c]);
  }

  async form(code: string, deadline: number): Promise<JsonForm> {
    const rev = await this.cht.settingsRev(deadline);
    if (!this.forms || rev === undefined || rev !== this.rev) await this.read(deadline, rev);
    const form = this.forms![code.toUpperCase()];
    if (!form)
      throw new Refused(
        'not-supported',
        `CHT has no JSON form ${code.toUpperCase()} (CHT: "Form not found: ${code.toUpperCase()}"): add it to CHT's app settings 'forms'; nothing was written`,
      );
    return form;
  }

  private async read(deadline: number, rev?: string): Promise<void> {
    const revBefore = rev ?? (await this.cht.settingsRev(deadline));
    this.forms = await this.cht.jsonForms(deadline);
    // Read before the forms: a change in between makes the next check read again rather than keep stale forms.
    this.rev = revBefore;
  }
}
