import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { compileDefinitions } from '../src/compiler/definitions/compile';
import { formCoverage } from '../src/compiler/definitions/coverage';
import { exprCore } from '../src/compiler/outbound';
import { mapDoc } from '../src/core/map-doc';
import { hydrate } from '../src/doubles/cht-outbound-push/hydrate';
import { assertValidR4 } from '../src/fhir-validation';
import { kb, outboundBytes } from './outbound-bytes';

/**
 * The outbound bytes of a project that maps CHT's four default forms
 * completely (issue #24). Our mappings live in bench/default-forms/; cht-core's
 * XForms and contact types are read at run time (never copied here): from the
 * checkout named by CHT_CORE, else from the bare git mirror of cht-core.
 */
export const DEFAULT_FORMS = ['pregnancy', 'pregnancy_home_visit', 'delivery', 'death_report'];
/** Also mapped, outside the four forms' figure: a real CHT rapid test form (issue #24's RDT constructs). */
const OTHER_FORMS: Record<string, string> = { covid19_rdt_capture: 'config/covid-19/forms/app/covid19_rdt_capture.xml' };
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
  if (!fs.existsSync(MIRROR)) return `no cht-core mirror at ${MIRROR} (set CHT_CORE to a cht-core checkout)`;
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
  for (const [form, file] of Object.entries(OTHER_FORMS)) fs.writeFileSync(path.join(root, 'forms/app', form + '.xml'), core.read(file));
  const settings = JSON.parse(core.read('config/default/app_settings.json')) as { contact_types?: unknown };
  fs.writeFileSync(path.join(root, 'app_settings.json'), JSON.stringify({ contact_types: settings.contact_types ?? [] }, null, 2));
  return root;
}

export async function benchDefaultForms(): Promise<void> {
  console.log("\n== outbound bytes: CHT's default forms mapped completely (issue #24) ==");
  const core = chtCore();
  if (typeof core === 'string') {
    console.log(`not measured: ${core}`);
    return;
  }
  const root = defaultFormsProject(core);
  try {
    // Throws DefinitionError, failing the bench, when the definitions do not compile.
    const compiled = compileDefinitions(root);
    const four = { ...compiled.model, forms: Object.fromEntries(DEFAULT_FORMS.map((f) => [f, compiled.model.forms[f]])) };
    const { shared, forms, total, together } = outboundBytes(four, await exprCore());
    const others = outboundBytes(compiled.model, await exprCore()).forms.filter((f) => !DEFAULT_FORMS.includes(f.form));
    const verdict = (bytes: number, target: number) => `${bytes <= target ? 'within' : 'OVER'} target <= ${target / 1024} KB`;
    console.log(`cht-core: ${core.from}`);
    console.log(`shared          ${String(shared).padStart(6)} B (${kb(shared)}; ${verdict(shared, SHARED_TARGET)})`);
    for (const f of forms)
      console.log(
        `  ${f.form.padEnd(22)} ${String(f.bytes).padStart(6)} B  (rules and shape ${f.rulesAndShape} B, ${f.concepts} concepts ${f.conceptBytes} B)`,
      );
    console.log(
      `four forms      ${String(together).padStart(6)} B (${kb(together)}; ${verdict(together, FORMS_TARGET)}); each concept once (${kb(total)} with each form's concepts counted in it)`,
    );
    for (const f of others) console.log(`  and ${f.form} (not among the four): ${f.bytes} B`);
    console.log('coverage (fields: to resources / only in the QuestionnaireResponse / nowhere):');
    for (const form of [...DEFAULT_FORMS, ...Object.keys(OTHER_FORMS)]) {
      const xform = compiled.xforms[form];
      const c = formCoverage(xform, compiled.model.forms[form]);
      const answers = c.onlyInResponse.filter((p) => xform.fields[p]?.control && !xform.fields[p]?.calculate);
      console.log(
        `  ${form.padEnd(22)} ${c.toResources.length} / ${c.onlyInResponse.length} / ${c.nowhere.length}; answers only in the QR: ${answers.join(', ') || 'none'}`,
      );
    }
    // Per-doc cost: realistic reports of one pregnancy through the compiled model, as the outbound entry runs it.
    const contacts = JSON.parse(fs.readFileSync(path.join(__dirname, '../samples/contacts.json'), 'utf8')) as Doc[];
    console.log('per doc (mapDoc on the hydrated report):');
    for (const doc of defaultFormsDocs()) {
      const hydrated = hydrate(doc, contacts);
      const bundle = mapDoc(compiled.model, hydrated);
      // What these real forms make must be valid R4: the bench fails otherwise.
      for (const e of bundle.entry ?? []) assertValidR4(e.resource);
      const N = 200;
      const t = process.hrtime.bigint();
      for (let i = 0; i < N; i++) mapDoc(compiled.model, hydrated);
      const ms = Number(process.hrtime.bigint() - t) / 1e6 / N;
      console.log(
        `  ${String(doc.form).padEnd(22)} ${ms.toFixed(3)} ms/doc  ${String(bundle.entry?.length ?? 0).padStart(2)} resources  payload ${JSON.stringify(bundle).length} B`,
      );
    }
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

type Doc = Record<string, unknown> & { _id: string };

/** A report as CHT saves it from an XForm: every value a string, repeats as arrays. */
function report(id: string, form: string, day: string, fields: Record<string, unknown>): Doc {
  return {
    _id: id,
    _rev: '1-a',
    type: 'data_record',
    form,
    content_type: 'xml',
    reported_date: Date.parse(day + 'T09:30:00Z'),
    contact: { _id: 'chw-1', parent: { _id: 'hc-1', parent: { _id: 'dh-1' } } },
    fields: { patient_uuid: 'woman-1', patient_id: '20001', ...fields, meta: { instanceID: `uuid:${id}` } },
  };
}

const no = (...names: string[]) => Object.fromEntries(names.map((n) => [n, 'no']));
const PREGNANCY_SIGNS = ['vaginal_bleeding', 'fits', 'severe_abdominal_pain', 'severe_headache', 'very_pale', 'fever'];
const MORE_SIGNS = ['reduced_or_no_fetal_movements', 'breaking_water', 'easily_tired', 'face_hand_swelling', 'breathlessness'];
const BABY_SIGNS = ['infected_umbilical_cord', 'convulsion', 'difficulty_feeding', 'vomit', 'drowsy', 'stiff', 'yellow_skin', 'fever', 'blue_skin'];

/** Reports of one pregnancy, written the way the default forms fill them: registration, a visit, twins delivered with one stillborn, a death. */
export function defaultFormsDocs(): Doc[] {
  const baby = (n: number, signs: Record<string, string>) => ({
    baby_details: {
      baby_condition: signs.fever === 'yes' ? 'alive_unwell' : 'alive_well',
      baby_name: `Baby ${n}`,
      baby_sex: n % 2 ? 'female' : 'male',
      birth_weight_know: 'yes',
      birth_weight: String(2600 + n * 150),
      birth_length_know: 'yes',
      birth_length: '48.5',
      vaccines_received: 'bcg_and_birth_polio',
      breastfeeding: 'yes',
      breastfed_within_1_hour: 'yes',
      ...no(...BABY_SIGNS),
      ...signs,
      r_baby_danger_sign_present: Object.values(signs).includes('yes') ? 'yes' : 'no',
      child_doc: `baby-${n}`,
    },
  });
  return [
    report('preg-1', 'pregnancy', '2024-01-06', {
      lmp_date_8601: '2023-11-02',
      edd_8601: '2024-08-08',
      gestational_age: { register_method: { lmp_method: 'method_lmp' }, method_lmp: { u_lmp_date: '2023-11-02' }, g_lmp_date_8601: '2023-11-02' },
      anc_visits_hf: {
        anc_visits_hf_past: {
          visited_hf_count: '2',
          visited_dates_group: {
            visited_dates: [
              { visited_date_ask_multiple: 'yes', visited_date: '2023-12-01' },
              { visited_date_ask_multiple: 'no', visited_date: '' },
            ],
          },
        },
        anc_visits_hf_next: { anc_next_visit_date: { appointment_date_known: 'yes', appointment_date: '2024-02-02' } },
      },
      risk_factors: {
        risk_factors_history: { first_pregnancy: 'no', previous_miscarriage: 'yes' },
        risk_factors_present: { secondary_condition: 'more_than_4_children high_blood_pressure', additional_risk_check: 'no' },
      },
      danger_signs: { ...no(...PREGNANCY_SIGNS, ...MORE_SIGNS), severe_headache: 'yes', r_danger_sign_present: 'yes' },
      safe_pregnancy_practices: {
        malaria: { uses_llin: 'yes' },
        iron_folate: { iron_folate_daily: 'no' },
        deworming: { deworming_med: 'no' },
        hiv_status: { hiv_tested: 'yes' },
        tetanus: { tt_imm_received: 'no' },
      },
    }),
    report('visit-1', 'pregnancy_home_visit', '2024-02-05', {
      pregnancy_summary: { visit_option: 'yes', g_age_correct: 'yes' },
      anc_visits_hf: {
        anc_visits_hf_past: { last_visit_attended: 'yes', report_other_visits: 'no' },
        risk_factors: { new_risks: 'none', additional_risk_check: 'no' },
        anc_visits_hf_next: { anc_next_visit_date: { appointment_date_known: 'yes', appointment_date: '2024-03-01' } },
      },
      danger_signs: { ...no(...PREGNANCY_SIGNS, ...MORE_SIGNS), vaginal_bleeding: 'yes', fever: 'yes', r_danger_sign_present: 'yes' },
      safe_pregnancy_practices: {
        malaria: { llin_use: 'yes' },
        iron_folate: { iron_folate_daily: 'yes' },
        deworming: { deworming_med: 'yes' },
        hiv_status: { hiv_tested: 'yes' },
        tetanus: { tt_imm_received: 'yes' },
      },
      data: { meta: { __pregnancy_uuid: 'preg-1' } },
    }),
    report('deliv-1', 'delivery', '2024-07-26', {
      condition: { woman_outcome: 'alive_well' },
      pnc_danger_sign_check: { ...no('fever', 'severe_headache', 'vaginal_bleeding', 'vaginal_discharge', 'convulsion'), r_pnc_danger_sign_present: 'no' },
      delivery_outcome: {
        babies_delivered: '3',
        babies_alive: '2',
        delivery_date: '2024-07-25',
        delivery_place: 'health_facility',
        delivery_mode: 'vaginal',
        delivery_conductor: 'skilled',
      },
      baby_death: {
        baby_death_repeat: [
          {
            baby_death_date: '2024-07-25',
            baby_death_place: 'health_facility',
            stillbirth: 'yes',
            baby_death_add_notes: '',
            baby_death_profile_doc: 'baby-dead-1',
          },
        ],
      },
      babys_condition: { baby_repeat: [baby(1, {}), baby(2, { fever: 'yes', yellow_skin: 'yes' })] },
      pnc_visits: { pnc_visits_attended: 'within_24_hrs', pnc_visits_additional: '0' },
      data: { meta: { __pregnancy_uuid: 'preg-1' } },
    }),
    report('death-1', 'death_report', '2024-09-01', {
      death_details: {
        date_of_death: '2024-08-30',
        place_of_death: 'other',
        place_of_death_other: 'On the way to the clinic',
        death_information: 'Bleeding at home',
      },
    }),
    // As the RDToolkit app hands a session back: epoch-millisecond times, the result map, a cropped photo in base64.
    report('rdt-1', 'covid19_rdt_capture', '2024-03-02', {
      'test-information': {
        administrator_id: 'chw-1',
        facility_id: 'hc-1',
        rdt_lot: 'QX-2211',
        rdt_lot_expiry_date: '2025-01-31',
        specimen_type: 'nasal',
      },
      capture: {
        'rdtoolkit-capture': {
          'android-app-outputs': {
            rdt_session_bundle: {
              rdt_session_state: 'COMPLETE',
              rdt_session_time_started: String(Date.parse('2024-03-02T09:02:00Z')),
              rdt_session_time_resolved: String(Date.parse('2024-03-02T09:17:00Z')),
              rdt_session_time_expired: String(Date.parse('2024-03-02T09:32:00Z')),
              rdt_session_result_bundle: {
                rdt_session_result_time_read: String(Date.parse('2024-03-02T09:18:30Z')),
                rdt_session_result_extra_images: { cropped: '/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAgGBgcGBQgHBwcJCQgKDBQNDAsLDBkSEw8UHRofHh0a' },
                rdt_session_result_map: { sars_cov2: 'sars_cov2_neg' },
              },
            },
          },
        },
      },
      'repeat-test': { repeat_test: 'no' },
    }),
  ];
}
