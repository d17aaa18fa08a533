import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT } from './repo';
import type { Doc } from './samples';

/**
 * A pregnancy journey in a scratch cht-conf project whose forms are shaped
 * like CHT's default ones (config/default/forms/app: pregnancy,
 * pregnancy_home_visit, pregnancy_danger_sign_follow_up, delivery, PNC
 * follow-up), written here: the task that opens a follow-up passes the
 * opening report's `_id` in (`inputs.pregnancy_uuid`, `inputs.delivery_uuid`,
 * as cht-core's tasks.js does), and the delivery saves each baby as a
 * db-doc person. Our delivery also gets `pregnancy_uuid`: cht-core's
 * delivery task is raised by the pregnancy report, so it is one line of
 * tasks.js (`content.pregnancy_uuid = report._id`).
 */

interface Field {
  name: string;
  type?: string;
  choices?: string[];
  calculate?: string;
}

/** A pyxform-shaped XForm: inputs with the contact and the ids a task passes, the fields, an optional babies repeat. */
function xform(id: string, inputs: string[], fields: Field[], babies = false): string {
  const node = (f: Field) => `<${f.name}/>`;
  const bind = (f: Field) => `<bind nodeset="/${id}/${f.name}" type="${f.type ?? 'string'}"${f.calculate ? ` calculate="${f.calculate}"` : ''}/>`;
  const control = (f: Field) =>
    f.choices
      ? `<${f.type === 'select' ? 'select' : 'select1'} ref="/${id}/${f.name}"><label>${f.name}</label>${f.choices
          .map((c) => `<item><label>${c}</label><value>${c}</value></item>`)
          .join('')}</${f.type === 'select' ? 'select' : 'select1'}>`
      : f.calculate
        ? ''
        : `<input ref="/${id}/${f.name}"><label>${f.name}</label></input>`;
  const baby = babies
    ? `<babies><baby><baby_details><name/><sex/></baby_details><baby_profile db-doc="true"><type>person</type><name/><sex/><date_of_birth/><parent/></baby_profile><child_doc db-doc-ref="/${id}/babies/baby/baby_profile"/></baby></babies>`
    : '';
  return `<?xml version="1.0"?>
<h:html xmlns="http://www.w3.org/2002/xforms" xmlns:h="http://www.w3.org/1999/xhtml" xmlns:jr="http://openrosa.org/javarosa">
  <h:head>
    <h:title>${id}</h:title>
    <model>
      <instance>
        <${id} id="${id}" version="2026-12-01">
          <inputs><source>task</source><contact><_id/><name/></contact>${inputs.map((i) => `<${i}/>`).join('')}</inputs>
          <patient_uuid/>
          ${fields.map(node).join('')}
          ${baby}
          <meta><instanceID/></meta>
        </${id}>
      </instance>
      <bind nodeset="/${id}/inputs" relevant="0"/>
      <bind nodeset="/${id}/inputs/contact/_id" type="db:person"/>
      ${inputs.map((i) => `<bind nodeset="/${id}/inputs/${i}" type="string"/>`).join('\n      ')}
      <bind nodeset="/${id}/patient_uuid" type="string" calculate="../inputs/contact/_id"/>
      ${fields.map(bind).join('\n      ')}
      ${
        babies
          ? `<bind nodeset="/${id}/babies/baby/baby_details/name" type="string"/>
      <bind nodeset="/${id}/babies/baby/baby_details/sex" type="select1"/>
      <bind nodeset="/${id}/babies/baby/baby_profile/name" type="string" calculate="../../baby_details/name"/>
      <bind nodeset="/${id}/babies/baby/baby_profile/date_of_birth" type="string" calculate="/${id}/delivery_date"/>`
          : ''
      }
    </model>
  </h:head>
  <h:body>
    ${fields.map(control).join('\n    ')}
    ${
      babies
        ? `<group ref="/${id}/babies"><label>Babies</label><repeat nodeset="/${id}/babies/baby"><input ref="baby_details/name"><label>Name</label></input><select1 ref="baby_details/sex"><label>Sex</label><item><label>F</label><value>female</value></item><item><label>M</label><value>male</value></item></select1></repeat></group>`
        : ''
    }
  </h:body>
</h:html>
`;
}

const SIGNS = ['bleeding', 'fever', 'headache'];

const FORMS: Record<string, { xml: string; def: object }> = {
  pregnancy: {
    xml: xform('pregnancy', [], [{ name: 'lmp_date', type: 'date' }]),
    def: {
      form: 'pregnancy',
      encounter_type: 'prenatal-visit',
      episodes: [{ type: 'pregnancy-episode' }],
      conditions: [{ code: 'pregnancy', scope: 'episode', category: 'problem-list-item', verification: 'confirmed', onset: 'lmp_date' }],
    },
  },
  pregnancy_home_visit: {
    xml: xform(
      'pregnancy_home_visit',
      ['pregnancy_uuid'],
      [
        { name: 'pregnancy_uuid', calculate: '../inputs/pregnancy_uuid' },
        { name: 'danger_signs', type: 'select', choices: SIGNS },
      ],
    ),
    def: {
      form: 'pregnancy_home_visit',
      encounter_type: 'prenatal-visit',
      episodes: [{ type: 'pregnancy-episode', field: 'pregnancy_uuid' }],
      conditions: [
        { code: 'pregnancy', scope: 'episode', category: 'problem-list-item', verification: 'confirmed' },
        { field: 'danger_signs', answers: { bleeding: 'vaginal-bleeding', fever: 'fever', headache: 'severe-headache' }, scope: 'episode' },
      ],
    },
  },
  pregnancy_danger_sign_follow_up: {
    xml: xform(
      'pregnancy_danger_sign_follow_up',
      ['pregnancy_uuid'],
      [
        { name: 'pregnancy_uuid', calculate: '../inputs/pregnancy_uuid' },
        { name: 'follow_up_date', type: 'date' },
        { name: 'signs_gone', type: 'select', choices: SIGNS },
      ],
    ),
    def: {
      form: 'pregnancy_danger_sign_follow_up',
      encounter_type: 'prenatal-visit',
      episodes: [{ type: 'pregnancy-episode', field: 'pregnancy_uuid' }],
      conditions: [
        {
          field: 'signs_gone',
          answers: { bleeding: 'vaginal-bleeding', fever: 'fever', headache: 'severe-headache' },
          scope: 'episode',
          clinical_status: 'resolved',
          abatement: 'follow_up_date',
        },
      ],
    },
  },
  delivery: {
    xml: xform(
      'delivery',
      ['pregnancy_uuid'],
      [
        { name: 'pregnancy_uuid', calculate: '../inputs/pregnancy_uuid' },
        { name: 'delivery_date', type: 'date' },
      ],
      true,
    ),
    def: {
      form: 'delivery',
      encounter_type: 'delivery',
      newborns: 'babies.baby.child_doc',
      episodes: [{ type: 'pregnancy-episode', field: 'pregnancy_uuid', closes: true, end: 'delivery_date' }, { type: 'postnatal-episode' }],
      conditions: [
        {
          code: 'pregnancy',
          scope: 'episode',
          episode: 'pregnancy-episode',
          category: 'problem-list-item',
          verification: 'confirmed',
          clinical_status: 'resolved',
          abatement: 'delivery_date',
        },
      ],
    },
  },
  pnc_follow_up: {
    xml: xform(
      'pnc_follow_up',
      ['delivery_uuid'],
      [
        { name: 'delivery_uuid', calculate: '../inputs/delivery_uuid' },
        { name: 'danger_signs', type: 'select', choices: SIGNS },
      ],
    ),
    def: {
      form: 'pnc_follow_up',
      encounter_type: 'postnatal-visit',
      episodes: [{ type: 'postnatal-episode', field: 'delivery_uuid' }],
      conditions: [{ field: 'danger_signs', answers: { bleeding: 'postpartum-haemorrhage', fever: 'fever' }, scope: 'episode' }],
    },
  },
};

/** A scratch copy of this repository's config with the journey's forms, definitions and concepts added. */
export function journeyProject(): { root: string; close(): void } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'journey-'));
  fs.cpSync(path.join(ROOT, 'app_settings'), path.join(root, 'app_settings'), { recursive: true });
  fs.cpSync(path.join(ROOT, 'forms'), path.join(root, 'forms'), { recursive: true });
  for (const [id, f] of Object.entries(FORMS)) {
    fs.writeFileSync(path.join(root, 'forms/app', `${id}.xml`), f.xml);
    fs.writeFileSync(path.join(root, 'app_settings/fhir/forms', `${id}.json`), JSON.stringify(f.def, null, 2));
  }
  const termsFile = path.join(root, 'app_settings/fhir/terminology.json');
  const terms = JSON.parse(fs.readFileSync(termsFile, 'utf8'));
  Object.assign(terms.concepts, {
    'pregnancy-episode': { system: 'http://snomed.info/sct', code: '77386006', display: 'Pregnancy' },
    'postnatal-episode': { system: 'http://snomed.info/sct', code: '1234201000000109', display: 'Postnatal care' },
    'severe-headache': { system: 'http://snomed.info/sct', code: '162308004', display: 'Severe headache' },
  });
  terms.concepts['postnatal-visit'] ??= { text: 'Postnatal visit' };
  fs.writeFileSync(termsFile, JSON.stringify(terms, null, 2));
  return { root, close: () => fs.rmSync(root, { recursive: true, force: true }) };
}

const DAY = 86_400_000;
const T0 = Date.parse('2025-01-06T09:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** One woman's journey: her docs in clinical order (each `_rev` 1), and the registration edited later (`_rev` 2). */
export function journeyDocs(i: number): { contacts: Doc[]; reports: Doc[]; edit: Doc; woman: string; facts: JourneyFacts } {
  const woman = `j-woman-${i}`;
  const start = T0 + i * DAY;
  const lmp = iso(start - 56 * DAY);
  const delivered = iso(start + 200 * DAY);
  const twins = i % 4 === 0;
  const contact = { _id: 'chw-1', parent: { _id: 'hc-1', parent: { _id: 'dh-1' } } };
  const report = (id: string, form: string, at: number, fields: Record<string, unknown>, inputs: Record<string, string> = {}): Doc => ({
    _id: id,
    _rev: '1-a',
    type: 'data_record',
    form,
    reported_date: at,
    contact,
    fields: {
      inputs: { source: 'task', contact: { _id: woman, name: `Woman ${i}` }, ...inputs },
      patient_uuid: woman,
      ...fields,
      meta: { instanceID: `uuid:${id}` },
    },
  });
  const reg1 = `j-reg1-${i}`;
  const del = `j-del-${i}`;
  const babies = (twins ? [1, 2] : [1]).map((n) => `j-baby-${i}-${n}`);
  const reports = [
    report(reg1, 'pregnancy', start, { lmp_date: lmp }),
    report(`j-hv1-${i}`, 'pregnancy_home_visit', start + 30 * DAY, { pregnancy_uuid: reg1, danger_signs: 'bleeding fever' }, { pregnancy_uuid: reg1 }),
    report(
      `j-dsf-${i}`,
      'pregnancy_danger_sign_follow_up',
      start + 33 * DAY,
      { pregnancy_uuid: reg1, follow_up_date: iso(start + 33 * DAY), signs_gone: 'bleeding' },
      { pregnancy_uuid: reg1 },
    ),
    report(`j-hv2-${i}`, 'pregnancy_home_visit', start + 150 * DAY, { pregnancy_uuid: reg1, danger_signs: '' }, { pregnancy_uuid: reg1 }),
    report(
      del,
      'delivery',
      Date.parse(delivered) + DAY / 2,
      {
        pregnancy_uuid: reg1,
        delivery_date: delivered,
        babies: { baby: babies.map((b, n) => ({ baby_details: { name: `Baby ${i}.${n + 1}`, sex: 'female' }, child_doc: b })) },
      },
      { pregnancy_uuid: reg1 },
    ),
    report(`j-pnc-${i}`, 'pnc_follow_up', Date.parse(delivered) + 3 * DAY, { delivery_uuid: del, danger_signs: 'fever' }, { delivery_uuid: del }),
    report(`j-reg2-${i}`, 'pregnancy', start + 700 * DAY, { lmp_date: iso(start + 660 * DAY) }),
  ];
  // The registration corrected after the delivery synced: its LMP was a week off.
  const correctedLmp = iso(start - 63 * DAY);
  const edit = { ...reports[0], _rev: '2-b', fields: { ...(reports[0].fields as Doc), lmp_date: correctedLmp } } as Doc;
  const contacts: Doc[] = [
    {
      _id: woman,
      _rev: '1-a',
      type: 'person',
      name: `Woman ${i}`,
      sex: 'female',
      date_of_birth: '1995-03-02',
      parent: { _id: 'hh-1', parent: { _id: 'hc-1', parent: { _id: 'dh-1' } } },
    },
    ...babies.map((b, n): Doc => ({
      _id: b,
      _rev: '1-a',
      type: 'person',
      name: `Baby ${i}.${n + 1}`,
      sex: 'female',
      date_of_birth: delivered,
      created_by_doc: del,
      parent: { _id: 'hh-1', parent: { _id: 'hc-1', parent: { _id: 'dh-1' } } },
    })),
  ];
  return { contacts, reports, edit, woman, facts: { reg1, reg2: `j-reg2-${i}`, del, lmp: correctedLmp, delivered, babies } };
}

export interface JourneyFacts {
  reg1: string;
  reg2: string;
  del: string;
  /** The LMP after the edit. */
  lmp: string;
  delivered: string;
  babies: string[];
}
