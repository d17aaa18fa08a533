import type { Bundle, Questionnaire, QuestionnaireItem } from 'fhir/r4';
import type { Deployment, FieldType } from '../core/model';
import { resourceId, systems } from '../core/identity';
import type { InstanceNode, XFormInfo } from './xform';
import type { Compiled } from './compile';
import { transaction } from '../core/bundle';
import { NOT_ANSWERS } from '../core/questionnaire-response';

/**
 * The Questionnaire a CHT form's QuestionnaireResponses point at
 * (`questionnaire` = `<base>/Questionnaire/<form>`), read from the XForm:
 * same linkIds (dotted field paths), types from the binds, labels and
 * choices from the body. Fields without a control are calculated: read-only.
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


const lastSegment = (path: string) => path.slice(path.lastIndexOf('.') + 1);

function item(x: XFormInfo, node: InstanceNode): QuestionnaireItem | undefined {
  const text = x.labels[node.path];
  if (node.children) {
    const items = node.children.map((c) => item(x, c)).filter((i): i is QuestionnaireItem => !!i);
    return items.length ? { linkId: node.path, text: text ?? lastSegment(node.path), type: 'group', item: items } : undefined;
  }
  const type = x.fields[node.path] ?? 'string';
  const q: QuestionnaireItem = { linkId: node.path, text: text ?? lastSegment(node.path), type: ITEM_TYPE[type] };
  if (type === 'select') q.repeats = true;
  if (x.choices[node.path]) q.answerOption = x.choices[node.path].filter(Boolean).map((v) => ({ valueString: v }));
  if (text === undefined) q.readOnly = true;
  return q;
}

/** `sick_child` -> `SickChild`: a name machines can use (que-0). */
const machineName = (id: string) => id.replace(/(^|[^A-Za-z0-9])([a-z])/g, (_, __, c: string) => c.toUpperCase()).replace(/[^A-Za-z0-9_]/g, '').replace(/^[^A-Z]/, 'F');

export function questionnaireFor(d: Deployment, x: XFormInfo): Questionnaire {
  const items = x.tree.filter((n) => NOT_ANSWERS.indexOf(n.path) < 0).map((n) => item(x, n)).filter((i): i is QuestionnaireItem => !!i);
  const q: Questionnaire = {
    resourceType: 'Questionnaire',
    id: resourceId(d, 'Questionnaire', x.id),
    url: systems(d).questionnaire + x.id,
    name: machineName(x.id),
    title: x.title,
    status: 'active',
    subjectType: ['Patient'],
  };
  if (items.length) q.item = items;
  return q;
}

/** Every mapped form's Questionnaire, as one transaction of PUTs (what `cht-fhir questionnaires` prints). */
export function questionnaireBundle(compiled: Compiled): Bundle {
  const d = compiled.model.deployment;
  return transaction(d, 'questionnaires', Object.keys(compiled.xforms).sort().map((form) => questionnaireFor(d, compiled.xforms[form])));
}
