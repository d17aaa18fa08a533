import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { compileDefinitions } from '../src/definitions/compile';
import { formCoverage } from '../src/definitions/coverage';
import { exprCore } from '../src/build/outbound';
import { kb, outboundBytes } from './outbound-bytes';

/**
 * The outbound bytes of a project that maps CHT's four default forms
 * completely (issue #24). Our mappings live in bench/default-forms/; cht-core's
 * XForms and contact types are read at run time (never copied here): from the
 * checkout named by CHT_CORE, else from the bare git mirror of cht-core.
 */
export const DEFAULT_FORMS = ['pregnancy', 'pregnancy_home_visit', 'delivery', 'death_report'];
const OURS = path.join(__dirname, 'default-forms');
const MIRROR = '/work/.mirror/medic+cht-core/repo';
const SHARED_TARGET = 20 * 1024;
const FORMS_TARGET = 16 * 1024;

interface ChtCore {
  /** Where the files come from, for the report. */
  from: string;
  /** A file of cht-core by its path in the repository. */
  read(file: string): string;
}

/** cht-core's sources, or why they cannot be read. */
export function chtCore(env: NodeJS.ProcessEnv = process.env): ChtCore | string {
  if (env.CHT_CORE) {
    const dir = path.resolve(env.CHT_CORE);
    if (!fs.existsSync(path.join(dir, 'config/default'))) return `CHT_CORE=${env.CHT_CORE} is not a cht-core checkout (no config/default)`;
    return { from: dir, read: (file) => fs.readFileSync(path.join(dir, file), 'utf8') };
  }
  if (!fs.existsSync(MIRROR)) return `no CHT_CORE checkout given and no cht-core mirror at ${MIRROR}`;
  const git = (...args: string[]) => {
    const r = spawnSync('git', ['--git-dir', MIRROR, ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });
    if (r.status !== 0) throw new Error(`git ${args.join(' ')} in ${MIRROR}: ${(r.stderr || r.error?.message || '').trim()}`);
    return r.stdout;
  };
  const head = git('rev-parse', '--short', 'HEAD').trim();
  return { from: `${MIRROR} at ${head}`, read: (file) => git('show', `HEAD:${file}`) };
}

/**
 * A scratch cht-conf project: our definitions, cht-core's four XForms, and an
 * app_settings.json holding only cht-core's default contact types.
 */
export function defaultFormsProject(core: ChtCore): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'cht-fhir-default-forms-'));
  fs.cpSync(path.join(OURS, 'app_settings'), path.join(root, 'app_settings'), { recursive: true });
  fs.mkdirSync(path.join(root, 'forms/app'), { recursive: true });
  for (const form of DEFAULT_FORMS) fs.writeFileSync(path.join(root, 'forms/app', form + '.xml'), core.read(`config/default/forms/app/${form}.xml`));
  const settings = JSON.parse(core.read('config/default/app_settings.json')) as { contact_types?: unknown };
  fs.writeFileSync(path.join(root, 'app_settings.json'), JSON.stringify({ contact_types: settings.contact_types ?? [] }, null, 2));
  return root;
}

export async function benchDefaultForms(): Promise<void> {
  console.log("\n== outbound bytes: CHT's default forms mapped completely (issue #24) ==");
  const core = chtCore();
  if (typeof core === 'string') {
    console.log(`not measured: ${core} (set CHT_CORE to a cht-core checkout)`);
    return;
  }
  const root = defaultFormsProject(core);
  try {
    // Throws DefinitionError, failing the bench, when the definitions do not compile.
    const compiled = compileDefinitions(root);
    const { shared, forms, total } = outboundBytes(compiled.model, (await exprCore()).length);
    const verdict = (bytes: number, target: number) => `${bytes <= target ? 'within' : 'OVER'} target <= ${target / 1024} KB`;
    console.log(`cht-core: ${core.from}`);
    console.log(`shared          ${String(shared).padStart(6)} B (${kb(shared)}; ${verdict(shared, SHARED_TARGET)})`);
    for (const f of forms)
      console.log(
        `  ${f.form.padEnd(22)} ${String(f.bytes).padStart(6)} B  (rules and shape ${f.rulesAndShape} B, ${f.concepts} concepts ${f.conceptBytes} B)`,
      );
    console.log(`four forms      ${String(total).padStart(6)} B (${kb(total)}; ${verdict(total, FORMS_TARGET)})`);
    console.log('coverage (fields: to resources / only in the QuestionnaireResponse / nowhere):');
    for (const form of DEFAULT_FORMS) {
      const xform = compiled.xforms[form]!;
      const c = formCoverage(xform, compiled.model.forms[form]);
      const answers = c.onlyInResponse.filter((p) => xform.fields[p]?.control && !xform.fields[p]?.calculate);
      console.log(
        `  ${form.padEnd(22)} ${c.toResources.length} / ${c.onlyInResponse.length} / ${c.nowhere.length}; answers only in the QR: ${answers.join(', ') || 'none'}`,
      );
    }
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}
