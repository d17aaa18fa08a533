import type { Bundle, CodeSystem, Coding, Element, Questionnaire, QuestionnaireItem, Resource, StructureDefinition } from 'fhir/r4';
import { EPOCH_MS, type Deployment, type FieldType, type Shape } from '../../core/model';
import { leafCode } from '../../core/fields';
import { choiceSystem, resourceId, systems } from '../../core/identity';
import type { InstanceNode, Labels, XFormInfo } from './xform';
import type { Compiled } from './compile';
import { transaction } from '../../core/bundle';
import { NOT_ANSWERS } from '../../core/questionnaire-response';

/**
 * The Questionnaire a CHT form's QuestionnaireResponses point at
 * (`questionnaire` = `<base>/Questionnaire/<form>`), read from the XForm:
 * same linkIds (dotted field paths), types from the binds, labels from the
 * default itext language with the others as FHIR translations, choices as
 * Codings of their values, repeats as repeating groups. Fields without a
 * control are calculated: read-only.
 */
const ITEM_TYPE: Record<FieldType, QuestionnaireItem['type']> = {
  string: 'string',
  int: 'integer',
  decimal: 'decimal',
  date: 'date',
  dateTime: 'dateTime',
  boolean: 'boolean',
  select1: 'choice',
  select: 'choice',
};
const TRANSLATION = 'http://hl7.org/fhir/StructureDefinition/translation';

/** A BCP-47 tag from an itext language: `fr`, or `French (fr)` as pyxform writes it. */
export function languageTag(lang: string): string | undefined {
  const tag = /\(([A-Za-z]{2,3}(?:-[A-Za-z0-9]+)*)\)\s*$/.exec(lang)?.[1] ?? lang;
  return /^[A-Za-z]{2,3}(-[A-Za-z0-9]+)*$/.test(tag) ? tag : undefined;
}

/** Default-language text and, where there are others, their translations as the `_text` FHIR extension. */
function localized(x: XFormInfo, labels: Labels | undefined, fallback: string): { text: string; ext?: Element } {
  if (!labels) return { text: fallback };
  const [first, ...others] = x.languages.length ? x.languages : [''];
  const text = (first !== undefined ? labels[first] : undefined) ?? Object.values(labels)[0] ?? fallback;
  const extension = others
    .filter((l) => labels[l] && labels[l] !== text && languageTag(l))
    .map((l) => ({
      url: TRANSLATION,
      extension: [
        { url: 'lang', valueCode: languageTag(l) },
        { url: 'content', valueString: labels[l] },
      ],
    }));
  return extension.length ? { text, ext: { extension } } : { text };
}

const lastSegment = (path: string) => path.slice(path.lastIndexOf('.') + 1);

/** A note's label as text: HTML tags and markdown emphasis and headings dropped. */
const plain = (s: string) =>
  s
    .replace(/<[^>]*>/g, ' ')
    .replace(/(\*\*|__|\*|_)(\S[^*_]*?)\1/g, '$2')
    .replace(/^#+\s*/, '')
    .replace(/\s+/g, ' ')
    .trim();

function item(d: Deployment, x: XFormInfo, node: InstanceNode, shape?: Shape): QuestionnaireItem | undefined {
  if (node.children) {
    const items = node.children.map((c) => item(d, x, c, shape)).filter((i): i is QuestionnaireItem => !!i);
    if (!items.length) return undefined;
    const g = x.groups[node.path];
    const { text, ext } = localized(x, g?.label, lastSegment(node.path));
    const q: QuestionnaireItem = { linkId: node.path, text, type: 'group', item: items };
    if (ext) q._text = ext;
    if (g?.repeat) q.repeats = true;
    return q;
  }
  const f = x.fields[node.path];
  const type = f?.type ?? 'string';
  const { text, ext } = localized(x, f?.label, lastSegment(node.path));
  if (f?.control && f.readonly) {
    // A note: shown, never answered. Its label may carry HTML or markdown.
    const d: QuestionnaireItem = { linkId: node.path, text: plain(text) || lastSegment(node.path), type: 'display' };
    if (ext) d._text = ext;
    return d;
  }
  const q: QuestionnaireItem = { linkId: node.path, text, type: ITEM_TYPE[type] };
  if (ext) q._text = ext;
  if (type === 'string' && /(^|\s)multiline(\s|$)/.test(f?.appearance ?? '')) q.type = 'text';
  if (type === 'select') q.repeats = true;
  // What the definition says the field holds, beyond its bind (form-rules/form.ts formShape: epoch_ms, attachments).
  const code = shape && leafCode(shape, node.path);
  if (code === EPOCH_MS) q.type = 'dateTime';
  else if (code && code.indexOf('/') > 0) q.type = 'attachment';
  const options = (f?.choices ?? []).map((c) => {
    const coding: Coding = { system: choiceSystem(d, x.id, node.path), code: c.value };
    const label = c.label && localized(x, c.label, c.value);
    if (label) {
      coding.display = label.text;
      if (label.ext) coding._display = label.ext;
    }
    return { valueCoding: coding };
  });
  if (options.length) q.answerOption = options;
  if (!f?.control) q.readOnly = true;
  return q;
}

/** `sick_child` -> `SickChild`: a name machines can use (que-0). */
const machineName = (id: string) =>
  id
    .replace(/(^|[^A-Za-z0-9])([a-z])/g, (_, __, c: string) => c.toUpperCase())
    .replace(/[^A-Za-z0-9_]/g, '')
    .replace(/^[^A-Z]/, 'F');

export function questionnaireFor(d: Deployment, x: XFormInfo, shape?: Shape): Questionnaire {
  const items = x.tree
    .filter((n) => NOT_ANSWERS.indexOf(n.path) < 0)
    .map((n) => item(d, x, n, shape))
    .filter((i): i is QuestionnaireItem => !!i);
  const q: Questionnaire = {
    resourceType: 'Questionnaire',
    id: resourceId(d, 'Questionnaire', x.id),
    url: systems(d).questionnaire + x.id,
    name: machineName(x.id),
    title: x.title,
    status: 'active',
    subjectType: ['Patient'],
  };
  const language = x.languages[0] && languageTag(x.languages[0]);
  if (language) q.language = language;
  if (items.length) q.item = items;
  return q;
}

/**
 * The CodeSystem of each choice list of a form (identity.ts `choiceSystem`):
 * every coding of a Questionnaire answerOption and of a QuestionnaireResponse
 * answer names one, so a code has a defined meaning and validators can check
 * answers against the list.
 */
export function choiceCodeSystems(d: Deployment, x: XFormInfo): CodeSystem[] {
  const out: CodeSystem[] = [];
  const visit = (n: InstanceNode) => {
    if (n.children) return n.children.forEach(visit);
    const f = x.fields[n.path];
    if (!f?.choices?.length || (f.control && f.readonly)) return;
    const url = choiceSystem(d, x.id, n.path);
    const seen = new Set<string>();
    const concept = f.choices
      .filter((c) => !seen.has(c.value) && seen.add(c.value))
      .map((c) => {
        const display = c.label && localized(x, c.label, c.value).text;
        return display ? { code: c.value, display } : { code: c.value };
      });
    out.push({
      resourceType: 'CodeSystem',
      id: resourceId(d, 'CodeSystem', `${x.id}.${n.path}`),
      url,
      name: machineName(`${x.id}_${n.path.replace(/\./g, '_')}`),
      title: `${x.title}: ${lastSegment(n.path)}`,
      status: 'active',
      caseSensitive: true,
      content: 'complete',
      count: concept.length,
      concept,
    });
  };
  x.tree.filter((n) => NOT_ANSWERS.indexOf(n.path) < 0).forEach(visit);
  return out;
}

/** The CHT contact type ids Location.type and Organization.type code with. */
export function contactTypeCodeSystem(d: Deployment, types: string[]): CodeSystem {
  return {
    resourceType: 'CodeSystem',
    id: resourceId(d, 'CodeSystem', 'cht-contact-type'),
    url: systems(d).contactType,
    name: 'ChtContactType',
    title: 'CHT contact types',
    status: 'active',
    caseSensitive: true,
    content: 'complete',
    count: types.length,
    concept: types.map((code) => ({ code })),
  };
}

/**
 * The source-version extension (core/source-version.ts) as a
 * StructureDefinition under the deployment's canonical base: a string
 * `<source>#<n>` on any DomainResource, by which the receiver orders pushes.
 */
export function sourceVersionDefinition(d: Deployment): StructureDefinition {
  const url = systems(d).sourceVersion;
  return extensionDefinition(d, {
    key: 'source-version',
    url,
    name: 'SourceVersion',
    title: 'cht-fhir source version',
    description:
      'The version of a resource at its source: a source URI naming who wrote it (a CHT doc, a browser outbox queue), `#`, and a positive integer that only grows for that source. A receiver never replaces a stored resource with a lower number of the same source.',
    root: { short: 'Source version: source URI # number', definition: 'The version of this resource at its source.', max: '1' },
    elements: [
      { id: 'Extension.extension', path: 'Extension.extension', max: '0' },
      { id: 'Extension.url', path: 'Extension.url', fixedUri: url },
      { id: 'Extension.value[x]', path: 'Extension.value[x]', min: 1, type: [{ code: 'string' }] },
    ],
  });
}

/**
 * The statement extension (core/statement.ts) of a resource several reports
 * write: which report (source, version), its clinical time, and the slots
 * (elements) it owns. A complex extension, one per report.
 */
export function statementDefinition(d: Deployment): StructureDefinition {
  const url = systems(d).statement;
  const part = (name: string, type: string, short: string, max = '1') => [
    { id: `Extension.extension:${name}`, path: 'Extension.extension', sliceName: name, short, min: max === '1' ? 1 : 0, max },
    { id: `Extension.extension:${name}.extension`, path: 'Extension.extension.extension', max: '0' },
    { id: `Extension.extension:${name}.url`, path: 'Extension.extension.url', fixedUri: name },
    { id: `Extension.extension:${name}.value[x]`, path: 'Extension.extension.value[x]', min: 1, type: [{ code: type }] },
  ];
  return extensionDefinition(d, {
    key: 'statement',
    url,
    name: 'Statement',
    title: 'cht-fhir statement',
    description:
      'What one report stated of a resource several reports write (an episode of care, a pregnancy Condition): the report (source URI and version), its clinical time, and the elements it owns. A receiver merges reports by clinical time: the later report owns an element, the earlier one for onset, recorded date and start.',
    root: { short: 'What one report stated of this resource', definition: 'What one report stated of this resource.', max: '*' },
    elements: [
      { id: 'Extension.extension', path: 'Extension.extension', slicing: { discriminator: [{ type: 'value', path: 'url' }], rules: 'closed' }, min: 3 },
      ...part('source', 'uri', 'The report: a URI under the deployment cht-uuid identifier system'),
      ...part('version', 'integer', 'The report version (its _rev sequence; 0 when unknown)'),
      ...part('time', 'dateTime', 'The report clinical time'),
      ...part('slot', 'code', 'An element (or group of elements) the report owns', '*'),
      { id: 'Extension.url', path: 'Extension.url', fixedUri: url },
      { id: 'Extension.value[x]', path: 'Extension.value[x]', max: '0' },
    ],
  });
}

/** An extension of ours on any DomainResource, under the deployment's canonical base. */
function extensionDefinition(
  d: Deployment,
  e: {
    key: string;
    url: string;
    name: string;
    title: string;
    description: string;
    root: { short: string; definition: string; max: string };
    elements: NonNullable<StructureDefinition['differential']>['element'];
  },
): StructureDefinition {
  return {
    resourceType: 'StructureDefinition',
    id: resourceId(d, 'StructureDefinition', e.key),
    url: e.url,
    name: e.name,
    title: e.title,
    status: 'active',
    description: e.description,
    fhirVersion: '4.0.1',
    kind: 'complex-type',
    abstract: false,
    context: [{ type: 'element', expression: 'DomainResource' }],
    type: 'Extension',
    baseDefinition: 'http://hl7.org/fhir/StructureDefinition/Extension',
    derivation: 'constraint',
    differential: { element: [{ id: 'Extension', path: 'Extension', ...e.root, min: 0 }, ...e.elements] },
  };
}

/**
 * Every mapped form's Questionnaire, with the CodeSystems their codings name
 * and this deployment's StructureDefinitions, as one transaction of PUTs
 * (what `cht-fhir questionnaires` prints and the demo loads first).
 */
export function questionnaireBundle(compiled: Compiled): Bundle {
  const d = compiled.model.deployment;
  const forms = Object.entries(compiled.xforms).sort(([a], [b]) => (a < b ? -1 : 1));
  const resources: Resource[] = [
    ...forms.map(([id, xform]) => questionnaireFor(d, xform, compiled.model.forms[id]?.shape)),
    ...forms.flatMap(([, xform]) => choiceCodeSystems(d, xform)),
    contactTypeCodeSystem(d, Object.keys(compiled.model.contacts.types).sort()),
    sourceVersionDefinition(d),
    statementDefinition(d),
  ];
  return transaction(d, 'questionnaires', resources);
}
