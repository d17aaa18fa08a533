import type { Coding } from 'fhir/r4';
import * as ucum from '@lhncbc/ucum-lhc';
import type {
  AppointmentRule,
  CodedRule,
  CompactConcept,
  ConditionRule,
  EpisodeRule,
  FormModel,
  ObservationRule,
  ObservationValue,
  RuleBase,
  Shape,
  When,
} from '../../core/model';
import { EPOCH_MS, SHAPE_CODES } from '../../core/model';
import type { Actor, ContactModel, MedicationRule, Place, ReferralRule } from '../../core/model';
import { setLeaf } from './shape';
import { withShortFieldRefs } from './field-refs';
import { hoistDefaults } from './hoist';
import { defaultValue } from '../../core/observations';
import { defaultEpisode } from '../../core/episodes';
import type { Terminology } from '../../core/terminology';
import { parseWhen } from './parse-when';
import type { InstanceNode, XFormField, XFormInfo } from './xform';
import type { ActorDef, FormDefinition, PlaceDef, RuleDef } from './files';

/**
 * One form's definition checked against its XForm and compiled into the
 * model the core runs on. Every path, answer, subject and condition must
 * resolve in the form as CHT runs it; each problem is reported with the
 * file, the JSON path, what was found and what to do.
 */

type ConceptRef = string | Coding;
const ABATED = ['inactive', 'resolved', 'remission'];

/** Who an element may name: the resource types its Reference allows, and whether a role shown as text will do. */
interface ActorKinds {
  what: string;
  as: Array<'Practitioner' | 'Patient' | 'Organization'>;
  roles: boolean;
}
const ANYONE = (what: string): ActorKinds => ({ what, as: ['Practitioner', 'Patient', 'Organization'], roles: true });
const MED_STATUS = {
  statement: ['active', 'completed', 'not-taken', 'intended', 'stopped', 'on-hold', 'unknown'],
  administration: ['completed', 'not-done', 'in-progress', 'on-hold', 'stopped', 'unknown'],
};

export const ucumUtils = () => ucum.UcumLhcUtils.getInstance();

/**
 * Concepts the model carries once, by key, compactly (CompactConcept); a
 * Coding written out gets the key `system|code`. Translations stay out:
 * sentinel never needs them, the phone libs carry their own table.
 */
export class ConceptTable {
  readonly systems: string[] = [];
  readonly concepts: Record<string, CompactConcept> = {};
  constructor(private readonly terms: Terminology) {}

  private add(key: string, system: string, code: string, display?: string) {
    let i = this.systems.indexOf(system);
    if (i < 0) i = this.systems.push(system) - 1;
    this.concepts[key] ??= display ? [i, code, display] : [i, code];
  }

  key(ref: ConceptRef, where: string, problems: string[]): string {
    if (typeof ref !== 'string') {
      const key = ref.system + '|' + ref.code;
      this.add(key, ref.system ?? '', ref.code ?? '', ref.display);
      return key;
    }
    const c = Object.prototype.hasOwnProperty.call(this.terms.concepts, ref) ? this.terms.concepts[ref] : undefined;
    if (!c) problems.push(`${where}: '${ref}' is not a concept in app_settings/fhir/terminology.json (add it there, or write the coding out)`);
    else if (c.system && c.code) this.add(ref, c.system, c.code, c.display);
    else this.concepts[ref] ??= c.text ?? ref;
    return ref;
  }
}

/** Field types shaped like the report's `fields` (see Shape in core/model). */
export function shapeOf(x: XFormInfo): Shape {
  const build = (nodes: InstanceNode[]): Shape => {
    const out: Shape = {};
    for (const n of nodes) {
      const name = n.path.slice(n.path.lastIndexOf('.') + 1);
      if (n.children) {
        const inner = build(n.children);
        if (x.groups[n.path]?.repeat) out[name] = [inner];
        else if (Object.keys(inner).length) out[name] = inner;
      } else {
        const type = x.fields[n.path]?.type;
        if (type && type !== 'string') out[name] = SHAPE_CODES[type];
      }
    }
    return out;
  };
  return build(x.tree);
}

export function compileForm(
  def: FormDefinition,
  xform: XFormInfo,
  terms: Terminology,
  table: ConceptTable,
  rel: string,
  problems: string[],
  contacts?: ContactModel,
): FormModel {
  const xml = `forms/app/${def.form}.xml`;
  const report = (where: string, msg: string) => problems.push(`${rel}: ${where}: ${msg}`);
  const concept = (ref: ConceptRef, where: string) => table.key(ref, `${rel}: ${where}`, problems);

  /** A leaf field of the form, or a problem saying what the path is instead. */
  const leaf = (path: string, where: string): XFormField | undefined => {
    const f = xform.fields[path];
    if (f) return f;
    if (xform.groups[path]) report(where, `'${path}' is a ${xform.groups[path].repeat ? 'repeat' : 'group'} of ${xml}, not a field: name one of its fields`);
    else {
      const last = path.slice(path.lastIndexOf('.') + 1);
      const like = Object.keys(xform.fields).filter((p) => p.endsWith('.' + last) || p === last);
      report(where, `'${path}' is not a field of ${xml}${like.length ? ` (did you mean ${like.map((p) => `'${p}'`).join(' or ')}?)` : ''}`);
    }
    return undefined;
  };
  const repeatOf = (path: string) => xform.fields[path]?.repeat ?? xform.groups[path]?.inRepeat;
  /** A field read alongside the rule's field must sit in the same repeat instance, or outside every repeat. */
  const sameInstance = (path: string, ruleField: string | undefined, where: string) => {
    const r = repeatOf(path);
    const own = ruleField ? (repeatOf(ruleField) ?? '') : '';
    if (r && !(own === r || own.startsWith(r + '.')))
      report(
        where,
        `'${path}' is inside repeat '${r}' but the rule's field ${ruleField ? `'${ruleField}' is not` : 'is not given'}: it would have several values; use a field of the same repeat instance`,
      );
  };
  const checkAnswer = (path: string, answer: string, where: string) => {
    const choices = xform.fields[path]?.choices;
    if (choices && !choices.some((c) => c.value === answer))
      report(where, `'${answer}' is not a choice of '${path}' (choices: ${choices.map((c) => c.value).join(', ') || 'none'})`);
  };
  const epochs = new Set(def.epoch_ms ?? []);
  const notDate = (path: string, f: XFormField | undefined, where: string) => {
    if (epochs.has(path)) return;
    if (f && ['int', 'decimal', 'boolean', 'select1', 'select'].indexOf(f.type) >= 0)
      report(
        where,
        `'${path}' is a ${f.type} field, not a date${f.type === 'int' || f.type === 'decimal' ? ` (if it holds Unix epoch milliseconds, list it in 'epoch_ms')` : ''}`,
      );
    // CHT forms often keep a date formatted for people to read ("%e %b, %Y"): FHIR cannot read it.
    const shown = dateFormats(f?.calculate ?? '').find((fmt) => !ISO_FORMAT.test(fmt));
    if (shown !== undefined) report(where, `'${path}' holds a date formatted for display ('${shown}'): name a field with an ISO date (%Y-%m-%d)`);
  };
  const dateField = (path: string | undefined, ruleField: string | undefined, where: string) => {
    if (!path) return;
    notDate(path, leaf(path, where), where);
    sameInstance(path, ruleField, where);
  };

  /** The contact type a picker or db-doc-ref field holds the `_id` of, when the form says. */
  const contactTypeOf = (f: XFormField): string | undefined => {
    if (f.dbDocRef !== undefined) return f.dbDocRef ? xform.groups[f.dbDocRef]?.docType : undefined;
    return /^db:(.+)$/.exec(f.rawType ?? '')?.[1] ?? /(?:^|\s)type-(\S+)/.exec(f.appearance ?? '')?.[1];
  };
  const isPlaceType = (type: string | undefined) => !!type && contacts?.types[type] === 'Place';

  const actor = (a: ActorDef, ruleField: string | undefined, where: string, allow: ActorKinds): Actor | undefined => {
    if (a === 'submitter') return a;
    const path = typeof a === 'string' ? a : a.field;
    const f = leaf(path, where + (typeof a === 'string' ? '' : '/field'));
    sameInstance(path, ruleField, where);
    if (!f) return undefined;
    if (typeof a !== 'string' && a.roles) {
      if (a.as) report(where, `give 'as' (a contact's _id) or 'roles' (answers naming a role), not both`);
      if (!allow.roles)
        report(where + '/roles', `${allow.what} names who by reference: a role from an answer cannot be one (use a field with a contact's _id)`);
      const roles: Record<string, string> = {};
      for (const [answer, ref] of Object.entries(a.roles)) {
        checkAnswer(path, answer, `${where}/roles/${answer}`);
        roles[answer] = concept(ref, `${where}/roles/${answer}`);
      }
      return { field: path, roles };
    }
    if (!isPersonRef(xform, f)) {
      // A text field a task or app fills with a contact's _id (a test administrator's): the definition says what it is.
      if (typeof a !== 'string' && a.as && f.type === 'string') return { field: path, as: a.as };
      report(
        where,
        `'${path}' holds no contact's _id: use a contact picker or a db-doc-ref; for a text field that holds one, { "field": "${path}", "as": "Practitioner" }; for an answer naming a role, { "field": "${path}", "roles": { <answer>: <concept> } }`,
      );
      return undefined;
    }
    const type = contactTypeOf(f);
    const as = typeof a === 'string' ? (isPlaceType(type) ? 'Organization' : undefined) : (a.as ?? (isPlaceType(type) ? 'Organization' : undefined));
    if (!as) {
      report(
        where,
        `'${path}' holds a person's _id: say what that person is in FHIR with { "field": "${path}", "as": "Practitioner" } (a person whose role is in contacts.json practitioner_roles) or "Patient"`,
      );
      return undefined;
    }
    if (as === 'Organization' && type && !isPlaceType(type))
      report(where, `'${path}' holds a ${type}'s _id, which is a person: only a place is an Organization`);
    if (allow.as.indexOf(as) < 0)
      report(where, `${allow.what} cannot be ${as === 'Organization' ? 'a place (Organization)' : `a ${as}`} (FHIR R4 allows ${allow.as.join(', ')})`);
    return { field: path, as };
  };

  const place = (p: PlaceDef, ruleField: string | undefined, where: string): Place | undefined => {
    if (p === 'household' || p === 'facility') return p;
    const path = typeof p === 'string' ? p : p.field;
    const f = leaf(path, where + (typeof p === 'string' ? '' : '/field'));
    sameInstance(path, ruleField, where);
    if (!f) return undefined;
    if (typeof p !== 'string' && p.answers) {
      for (const answer of Object.keys(p.answers)) checkAnswer(path, answer, `${where}/answers/${answer}`);
      return { field: path, answers: p.answers };
    }
    // A picker or db-doc-ref must pick a place; a text field (filled by a task or app) is taken at its word.
    const picked = isPersonRef(xform, f) ? contactTypeOf(f) : undefined;
    if (f.type !== 'string' || (picked && !isPlaceType(picked)))
      report(
        where,
        `'${path}' holds no place's _id: use 'household', 'facility', a place picker, or { "field": "${path}", "answers": { <answer>: "household" | "facility" } }`,
      );
    return { field: path };
  };

  /** The rule's performer and location, where its resource has them (`allow`), else a problem naming the rule kind. */
  const who = (r: RuleDef, out: RuleBase, where: string, resource: string, allow: { performer?: ActorKinds; location?: boolean }) => {
    if (r.performer !== undefined) {
      if (!allow.performer) report(where + '/performer', `${resource} says no performer here (FHIR R4)`);
      else out.performer = actor(r.performer, r.field, where + '/performer', allow.performer);
    }
    if (r.location !== undefined) {
      if (!allow.location)
        report(
          where + '/location',
          `${resource} has no location in FHIR R4${allow.performer?.as.includes('Organization') ? ": name the facility as performer (a place's _id)" : ''}`,
        );
      else out.location = place(r.location, r.field, where + '/location');
    }
  };

  /** field, when, subject: what every rule shares. */
  const base = (r: { field?: string; when?: string; subject?: string; required?: boolean }, where: string): RuleBase => {
    const out: RuleBase = {};
    if (r.field) {
      leaf(r.field, where + '/field');
      out.field = r.field;
    }
    if (r.when) {
      try {
        const parsed = parseWhen(r.when, (ref, byName) => resolveRef(xform, ref, byName), xform.root);
        for (const [p, v] of parsed.values) checkAnswer(p, v, where + '/when');
        out.when = selectedForm(parsed.when, xform);
      } catch (e) {
        report(where + '/when', `${(e as Error).message} in '${r.when}'`);
      }
    }
    if (r.subject) {
      const f = leaf(r.subject, where + '/subject');
      if (f && !isPersonRef(xform, f))
        report(
          where + '/subject',
          `'${r.subject}' holds no person's _id: use a db-doc-ref field pointing at a db-doc section, or a contact picker (bind type db:person or appearance select-contact)`,
        );
      sameInstance(r.subject, r.field, where + '/subject');
      out.subject = r.subject;
    }
    if (r.required) out.required = true;
    return out;
  };

  const coded = (r: NonNullable<FormDefinition['immunizations']>[number], where: string): CodedRule => {
    const out: CodedRule = base(r, where);
    if (r.text) {
      if (!r.field || r.answers || r.code) report(where + '/text', `'text' names the concept by a field's own words: give 'field' and no 'answers' or 'code'`);
      else if (xform.fields[r.field] && xform.fields[r.field]!.type !== 'string')
        report(where + '/text', `'${r.field}' is a ${xform.fields[r.field]!.type} field: 'text' reads a free-text answer`);
      out.text = true;
    } else if (r.field ? !r.answers || r.code : !r.code || r.answers)
      report(where, `give 'field' with 'answers' (choice -> concept), or 'code' alone (made when 'when' holds)`);
    if (r.field && r.answers) {
      out.answers = {};
      for (const [answer, refs] of Object.entries(r.answers)) {
        checkAnswer(r.field, answer, `${where}/answers/${answer}`);
        out.answers[answer] = Array.isArray(refs)
          ? refs.map((c, i) => concept(c, `${where}/answers/${answer}/${i}`))
          : concept(refs, `${where}/answers/${answer}`);
      }
    }
    if (r.code) out.code = concept(r.code, where + '/code');
    if (r.date) {
      dateField(r.date, r.field, where + '/date');
      out.date = r.date;
    }
    if (r.date_text) {
      if (r.date) report(where + '/date_text', `give 'date' (a field) or 'date_text', not both`);
      out.dateText = r.date_text;
    }
    return out;
  };

  const observations: ObservationRule[] = (def.observations ?? []).map((o, i) => {
    const where = `/observations/${i}`;
    const derived = defaultValue(
      { answers: o.answers && {}, unit: o.unit ? [o.unit, o.unit] : undefined },
      epochs.has(o.field) ? EPOCH_MS : typeCodeOf(xform.fields[o.field]),
    );
    const value: ObservationValue = o.value ?? derived;
    if (value === 'coded' && !o.answers) report(where, `a coded value needs 'answers' (choice -> concept)`);
    const rule: ObservationRule = { ...base(o, where), field: o.field, code: concept(o.code, where + '/code') };
    // Left out when the core derives the same from the field's type (the model is in every phone's settings).
    if (value !== derived) rule.value = value;
    who(o, rule, where, 'an Observation', { performer: ANYONE('an Observation') });
    if (o.device) {
      rule.device = { code: concept(o.device.code, where + '/device/code') };
      for (const k of ['lot', 'expiry'] as const) {
        const path = o.device[k];
        if (!path) continue;
        if (k === 'expiry') dateField(path, o.field, `${where}/device/${k}`);
        else if (leaf(path, `${where}/device/${k}`)) sameInstance(path, o.field, `${where}/device/${k}`);
        rule.device[k] = path;
      }
      if (o.device.manufacturer) rule.device.maker = o.device.manufacturer;
    }
    if (o.specimen) {
      rule.specimen = { code: concept(o.specimen.code, where + '/specimen/code') };
      if (o.specimen.date) {
        dateField(o.specimen.date, o.field, where + '/specimen/date');
        rule.specimen.date = o.specimen.date;
      }
    }
    if (o.date) {
      dateField(o.date, o.field, where + '/date');
      rule.date = o.date;
    }
    if (o.unit) {
      if (value !== 'quantity') report(where + '/unit', 'only quantities have units');
      else if (ucumUtils().validateUnitString(o.unit).status !== 'valid') report(where + '/unit', `'${o.unit}' is not a valid UCUM unit`);
      rule.unit = [o.unit, terms.units?.[o.unit]?.display ?? o.unit];
    }
    const category = o.category ?? (typeof o.code === 'string' ? terms.concepts[o.code]?.category : undefined);
    if (category) rule.category = category;
    if (o.answers) {
      rule.answers = {};
      for (const [answer, ref] of Object.entries(o.answers)) {
        checkAnswer(o.field, answer, `${where}/answers/${answer}`);
        rule.answers[answer] = concept(ref, `${where}/answers/${answer}`);
      }
    }
    if (o.yes) rule.yes = o.yes.map((y) => y.toLowerCase());
    return rule;
  });

  const episodes: EpisodeRule[] = (def.episodes ?? []).map((e, i) => {
    const where = `/episodes/${i}`;
    const rule: EpisodeRule = { type: concept(e.type, where + '/type') };
    if (e.field) {
      const f = leaf(e.field, where + '/field');
      if (f && repeatOf(e.field))
        report(where + '/field', `'${e.field}' is inside repeat '${repeatOf(e.field)}': an episode is the report's, name a field outside repeats`);
      notDate(e.field, f, where + '/field');
      rule.field = e.field;
    }
    if (e.closes) rule.closes = true;
    if (e.when) {
      if (!e.closes) report(where + '/when', `'when' says when the report closes the episode: it goes with 'closes': true`);
      const w = base({ when: e.when }, where).when;
      if (w) rule.when = w;
    }
    if (e.end) {
      if (!e.closes) report(where + '/end', `only an episode the report closes has an end ('closes': true)`);
      const ends = typeof e.end === 'string' ? [e.end] : e.end;
      ends.forEach((f, j) => dateField(f, undefined, typeof e.end === 'string' ? where + '/end' : `${where}/end/${j}`));
      rule.end = e.end;
    }
    return rule;
  });
  episodes.forEach((e, i) => {
    if (episodes.findIndex((o) => o.type === e.type) !== i) report(`/episodes/${i}/type`, `a second episode of type '${e.type}': one per type`);
  });

  const conditions: ConditionRule[] = (def.conditions ?? []).map((c, i) => {
    const where = `/conditions/${i}`;
    const rule: ConditionRule = coded(c, where);
    // Defaults (conditions.ts) stay out of the model.
    if (c.category && c.category !== 'encounter-diagnosis') rule.category = c.category;
    if (c.verification && c.verification !== 'provisional') rule.verification = c.verification;
    who(c, rule, where, 'a Condition', { performer: { what: "a Condition's asserter", as: ['Practitioner', 'Patient'], roles: false } });
    if (c.text && c.scope && c.scope !== 'report')
      report(where + '/scope', `a Condition named by free text cannot be ${c.scope}-scoped: its key would be the words, which change with each report`);
    if (c.clinical_status && c.clinical_status !== 'active') rule.clinical = c.clinical_status;
    for (const k of ['onset', 'abatement'] as const) {
      dateField(c[k], c.field, `${where}/${k}`);
      if (c[k]) rule[k] = c[k];
    }
    // con-4: an abated Condition is not active.
    if (c.abatement && ABATED.indexOf(c.clinical_status ?? 'active') < 0)
      report(where + '/abatement', `an abated Condition needs clinical_status ${ABATED.join(', ')} (FHIR con-4)`);
    if (c.scope === 'patient' || c.scope === 'episode') {
      if (c.field && repeatOf(c.field) && !c.subject) report(where + '/scope', `a ${c.scope}-scoped Condition from a repeat needs a 'subject' per instance`);
      rule.scope = c.scope;
    }
    if (c.episode !== undefined && c.scope !== 'episode') report(where + '/episode', `only an episode-scoped Condition names an episode ('scope': 'episode')`);
    if (c.scope === 'episode') {
      const type = c.episode === undefined ? undefined : concept(c.episode, where + '/episode');
      const found = type === undefined ? (episodes.length === 1 ? episodes[0] : undefined) : episodes.find((e) => e.type === type);
      if (found) {
        if (found.type !== defaultEpisode(episodes)) rule.episode = found.type;
      } else
        report(
          where + '/episode',
          episodes.length
            ? `names no episode of this form (episodes: ${episodes.map((e) => e.type).join(', ')})${type === undefined ? ": say which with 'episode'" : ''}`
            : `an episode-scoped Condition needs the form's 'episodes' (the episode it belongs to)`,
        );
    }
    return rule;
  });

  const appointments: AppointmentRule[] = (def.appointments ?? []).map((a, i) => {
    const where = `/appointments/${i}`;
    const rule: AppointmentRule = { ...base(a, where), field: a.field, code: concept(a.code, where + '/code') };
    who(a, rule, where, 'a proposed Appointment', {});
    notDate(a.field, xform.fields[a.field], where + '/field');
    return rule;
  });

  if (!xform.hasInstanceId) problems.push(`${xml}: needs <meta><instanceID/></meta>`);
  if (xform.id !== def.form) problems.push(`${xml}: form id '${xform.id}' does not match the file name`);

  for (const name of Object.keys(def.fields ?? {})) {
    if (!xform.fields[name]) report(`/fields/${name}`, `not a field of ${xml} any more (remove it from the list)`);
  }

  const model: FormModel = { shape: shapeOf(xform) };
  (def.epoch_ms ?? []).forEach((path, i) => {
    const f = leaf(path, `/epoch_ms/${i}`);
    if (f && ['int', 'decimal', 'string'].indexOf(f.type) < 0)
      report(`/epoch_ms/${i}`, `'${path}' is a ${f.type} field: epoch milliseconds are held in an int, decimal or text field`);
    if (f) setLeaf(model.shape, path, EPOCH_MS);
  });
  for (const [path, type] of Object.entries(def.attachments ?? {})) {
    const f = leaf(path, `/attachments/${path}`);
    if (f && f.type !== 'string') report(`/attachments/${path}`, `'${path}' is a ${f.type} field: a file is held in a text or binary field`);
    if (epochs.has(path)) report(`/attachments/${path}`, `'${path}' is listed in epoch_ms too`);
    if (f) setLeaf(model.shape, path, type);
  }
  if (def.encounter_type) model.type = concept(def.encounter_type, '/encounter_type');
  if (def.location) {
    const p = place(def.location, undefined, '/location');
    if (p) model.location = p;
  }
  if (def.fulfils) {
    leaf(def.fulfils.field, '/fulfils/field');
    model.fulfils = { field: def.fulfils.field };
    if (def.fulfils.status_field) {
      leaf(def.fulfils.status_field, '/fulfils/status_field');
      for (const a of Object.keys(def.fulfils.statuses ?? {})) checkAnswer(def.fulfils.status_field, a, `/fulfils/statuses/${a}`);
      model.fulfils.statusField = def.fulfils.status_field;
      model.fulfils.statuses = def.fulfils.statuses ?? {};
    }
  }
  const immunizations = (def.immunizations ?? []).map((r, i) => {
    const rule = coded(r, `/immunizations/${i}`);
    who(r, rule, `/immunizations/${i}`, 'an Immunization', { performer: ANYONE('an Immunization'), location: true });
    return rule;
  });
  const procedures = (def.procedures ?? []).map((r, i) => {
    const rule = coded(r, `/procedures/${i}`);
    who(r, rule, `/procedures/${i}`, 'a Procedure', { performer: ANYONE('a Procedure'), location: true });
    return rule;
  });
  const medications: MedicationRule[] = (def.medications ?? []).map((m, i) => {
    const where = `/medications/${i}`;
    if (!m.kind)
      report(where + '/kind', `say 'statement' (what the patient takes or took, as told) or 'administration' (what the health worker gave at the visit)`);
    const kind = m.kind ?? 'statement';
    // The model leaves out the core's defaults (kind statement, referral intent order): it is in every phone's settings.
    const rule: MedicationRule = coded(m, where);
    if (kind !== 'statement') rule.kind = kind;
    if (kind === 'administration') who(m, rule, where, 'a MedicationAdministration', { performer: ANYONE('a MedicationAdministration') });
    else who(m, rule, where, 'a MedicationStatement (what the patient told)', {});
    if (m.status) {
      if (MED_STATUS[kind].indexOf(m.status) < 0) report(where + '/status', `'${m.status}' is not a status of a ${kind} (${MED_STATUS[kind].join(', ')})`);
      rule.status = m.status;
    }
    if (m.dose || m.unit || m.route) {
      if (kind !== 'administration') report(where, `dose, unit and route are said of what was given: 'kind': 'administration'`);
      if (m.dose) {
        const f = leaf(m.dose, where + '/dose');
        if (f && f.type !== 'int' && f.type !== 'decimal') report(where + '/dose', `'${m.dose}' is a ${f.type} field, not a number`);
        sameInstance(m.dose, m.field, where + '/dose');
        rule.dose = m.dose;
      }
      if (m.unit) {
        if (ucumUtils().validateUnitString(m.unit).status !== 'valid') report(where + '/unit', `'${m.unit}' is not a valid UCUM unit`);
        rule.unit = [m.unit, terms.units?.[m.unit]?.display ?? m.unit];
      }
      if ((m.route || m.unit) && !m.dose)
        report(where + '/dose', `a dosage states its amount (FHIR mad-1): give 'dose', the field with the amount, with 'unit' and 'route'`);
      if (m.route) rule.route = concept(m.route, where + '/route');
    }
    return rule;
  });
  const referrals: ReferralRule[] = (def.referrals ?? []).map((r, i) => {
    const where = `/referrals/${i}`;
    const rule: ReferralRule = coded(r, where);
    if (r.intent && r.intent !== 'order') rule.intent = r.intent;
    who(r, rule, where, 'a ServiceRequest', { performer: ANYONE('a ServiceRequest'), location: true });
    if (r.priority && typeof r.priority !== 'string') {
      if (leaf(r.priority.field, where + '/priority/field')) sameInstance(r.priority.field, r.field, where + '/priority/field');
      for (const a of Object.keys(r.priority.answers)) checkAnswer(r.priority.field, a, `${where}/priority/answers/${a}`);
    }
    if (r.priority) rule.priority = r.priority;
    if (r.reasons === 'conditions') {
      if (!def.conditions?.length) report(where + '/reasons', `'conditions' names the diagnoses this form makes, but it has no 'conditions' rules`);
      rule.reasons = 'conditions';
    } else if (r.reasons)
      rule.reasons = r.reasons.map((x, j) => {
        const at = `${where}/reasons/${j}`;
        if (leaf(x.field, at + '/field')) sameInstance(x.field, r.field, at + '/field');
        const answers: Record<string, string> = {};
        for (const [a, ref] of Object.entries(x.answers)) {
          checkAnswer(x.field, a, `${at}/answers/${a}`);
          answers[a] = concept(ref, `${at}/answers/${a}`);
        }
        return { field: x.field, answers };
      });
    return rule;
  });
  keepIdsApart('observations', observations, (o) => (o.answers ? Object.keys(o.answers).map((a) => `${o.field}=${a}`) : [o.field]), report);
  keepIdsApart('conditions', conditions, (c) => (c.scope === 'patient' ? [] : codedParts(c)), report);
  keepIdsApart('conditions', conditions, (c) => (c.scope === 'patient' ? codesOf(c).map((k) => `patient:${k}`) : []), report, false);
  keepIdsApart('immunizations', immunizations, codedParts, report);
  keepIdsApart('procedures', procedures, codedParts, report);
  keepIdsApart('medications', medications, codedParts, report);
  keepIdsApart('referrals', referrals, codedParts, report);
  // Only non-empty lists travel: the model is in every phone's app settings.
  if (observations.length) model.observations = observations;
  if (conditions.length) model.conditions = conditions;
  if (immunizations.length) model.immunizations = immunizations;
  if (procedures.length) model.procedures = procedures;
  if (appointments.length) model.appointments = appointments;
  if (medications.length) model.medications = medications;
  if (referrals.length) model.referrals = referrals;
  if (episodes.length) model.episodes = episodes;
  if (def.newborns) {
    const f = leaf(def.newborns, '/newborns');
    if (f && !isPersonRef(xform, f)) report('/newborns', `'${def.newborns}' holds no person's _id (a db-doc-ref to a person section, or a contact picker)`);
    model.newborns = def.newborns;
  }
  return hoistDefaults(withShortFieldRefs(model, (p) => xform.fields[p]?.type));
}

/**
 * Two rules of one resource type that map the same field and answer would
 * make the same resource id (one fullUrl twice in the Bundle: bdl-7). The
 * later rule gets a `key` that keeps its ids apart; the earlier keeps its
 * ids, so resources already pushed keep theirs. Patient-scoped Conditions
 * are one per patient and concept by design: two rules making the same
 * concept there are refused (`separable` false), naming both.
 */
function keepIdsApart<R extends RuleBase & { code?: string }>(
  kind: string,
  rules: R[],
  parts: (r: R) => string[],
  report: (where: string, msg: string) => void,
  separable = true,
): void {
  const taken = new Map<string, number>();
  rules.forEach((r, i) => {
    const mine = parts(r);
    const clash = mine.map((p) => taken.get(p)).find((j) => j !== undefined);
    if (clash !== undefined) {
      if (!separable)
        report(
          `/${kind}/${i}`,
          `makes the same patient-scoped Condition as /${kind}/${clash} (${mine.find((p) => taken.has(p))}): map that concept in one rule`,
        );
      else r.key = r.code && !rules.slice(0, i).some((o) => o.code === r.code) ? r.code : String(i);
    }
    for (const p of mine) if (!taken.has(p)) taken.set(p, i);
  });
}

function codesOf(r: CodedRule): string[] {
  if (!r.answers) return r.code ? [r.code] : [];
  return [...new Set(Object.values(r.answers).flat())];
}

function codedParts(r: CodedRule): string[] {
  return r.field && r.answers ? Object.keys(r.answers).map((a) => `${r.field}=${a}`) : [`code=${r.code ?? ''}`];
}

/** Formats that give an ISO 8601 date or date-time, which FHIR can read. */
const ISO_FORMAT = /^%Y-%m-%d(T%H:%M(:%S(\.%3)?)?(%z)?)?$/;

/**
 * The format argument of each `format-date(value, format)` and
 * `format-date-time(value, format)` in an XPath: the second argument at the
 * call's own depth, past any nested call or quoted comma in the first.
 */
export function dateFormats(xpath: string): string[] {
  const out: string[] = [];
  const call = /format-date(?:-time)?\s*\(/g;
  for (let m = call.exec(xpath); m; m = call.exec(xpath)) {
    let depth = 0;
    let quote = '';
    for (let i = m.index + m[0].length; i < xpath.length; i++) {
      const c = xpath[i]!;
      if (quote) {
        if (c === quote) quote = '';
      } else if (c === "'" || c === '"') quote = c;
      else if (c === '(') depth++;
      else if (c === ')') {
        if (depth-- === 0) break;
      } else if (c === ',' && depth === 0) {
        const literal = /^\s*(['"])(.*?)\1/.exec(xpath.slice(i + 1));
        if (literal) out.push(literal[2]!);
        break;
      }
    }
  }
  return out;
}

/** A field's code in the form's shape (core/model.ts SHAPE_CODES), undefined for text. */
function typeCodeOf(f: XFormField | undefined): string | undefined {
  return f && f.type !== 'string' ? SHAPE_CODES[f.type] : undefined;
}

/** A db-doc-ref to a db-doc section that saves a contact (not a report, not the report itself), or a contact picker. */
function isPersonRef(x: XFormInfo, f: XFormField): boolean {
  if (f.dbDocRef !== undefined) {
    const section = f.dbDocRef === '' ? undefined : x.groups[f.dbDocRef];
    return !!section?.dbDoc && section.docType !== 'data_record';
  }
  return (f.rawType ?? '').startsWith('db:') || /(^|\s)select-contact(\s|$)/.test(f.appearance ?? '');
}

/**
 * `${x} = 'v'` on a single-choice field is `selected(${x}, 'v')`: the same
 * test (one stored choice, a code without spaces), written shorter in the
 * model that phones download.
 */
function selectedForm(w: When, x: XFormInfo): When {
  const [op, left, right] = w;
  if (op === '=' && Array.isArray(left) && left[0] === '.' && typeof left[1] === 'string' && x.fields[left[1]]?.type === 'select1' && typeof right === 'string')
    return ['sel', left[1], right];
  return w.map((part) => (Array.isArray(part) ? selectedForm(part, x) : part));
}

/** `${name}` (unique field name) or a dotted path -> the field's path. */
function resolveRef(x: XFormInfo, ref: string, byName: boolean): string {
  if (!byName) {
    if (x.fields[ref]) return ref;
    throw new Error(`'${ref}' is not a field of the form`);
  }
  const found = Object.keys(x.fields).filter((p) => p === ref || p.endsWith('.' + ref));
  if (found.length === 1) return found[0]!;
  throw new Error(found.length ? `\${${ref}} is ambiguous (${found.join(', ')}): write the dotted path` : `\${${ref}} is not a field of the form`);
}
