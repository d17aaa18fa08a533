import { extensionLib } from './support/calling-convention';
import { concept, unit } from './support/terminology-table';
import { deployment } from './support/deployment';
import { codeableConcept } from '../../core/terminology';
import { observationsFor } from '../../core/observations';
import { refTo, systems } from '../../core/identity';
import type { ObservationRule, ObservationValue } from '../../core/model';
import { MappingError } from '../../core/mapping-error';
import { outcome } from '../../core/outcome';

/**
 * FHIR built on the phone by the same core as the server side.
 *   cht:extension-lib('fhir-build.js', 'observation', 'body-weight', /data/weight, 'kg', /data/meta/instanceID [, /data/patient_uuid [, 'vitals.weight']])
 * The 4th argument is a UCUM unit (a Quantity) or a value type: integer,
 * boolean, string, dateTime, coded (the value is then a concept key). The
 * last names the field as the form's mapping does: the Observation then has
 * the id the outbound push gives it (default: the concept key).
 * Returns the resource as JSON text; '' while the field is empty; an
 * OperationOutcome as JSON text when the input cannot make valid FHIR.
 */
const TYPES: ObservationValue[] = ['integer', 'boolean', 'string', 'dateTime', 'coded'];

const invalid = (message: string): string => JSON.stringify(outcome('error', 'invalid', message));

function observation(key: string, raw: string, unitOrType: string, instance: string, subject: string, field: string): string {
  if (!raw) return '';
  const c = concept(key);
  if (!c) return invalid(`unknown concept '${key}'`);
  if (!instance) return invalid('no form instance id to derive a stable id from');
  const value: ObservationValue = TYPES.indexOf(unitOrType as ObservationValue) >= 0 ? (unitOrType as ObservationValue) : unitOrType ? 'quantity' : 'string';
  const path = field || key;
  const rule: ObservationRule = { field: path, code: key, value, required: true };
  if (value === 'quantity') rule.unit = [unitOrType, unit(unitOrType)?.display ?? unitOrType];
  if (c.category) rule.category = c.category;
  if (value === 'coded') {
    if (!concept(raw)) return invalid(`unknown answer concept '${raw}'`);
    rule.answers = { [raw]: raw };
  }
  const fields: Record<string, unknown> = {};
  path.split('.').reduce((node: Record<string, unknown>, seg, i, all) => (node[seg] = i === all.length - 1 ? raw : {}) as Record<string, unknown>, fields);
  try {
    const [obs] = observationsFor(
      {
        d: deployment,
        form: key,
        docId: instance,
        key: instance,
        fields,
        shape: {},
        concept: (k) => codeableConcept(concept(k) ?? { text: k }),
        subject: subject ? refTo(deployment, 'Patient', subject) : undefined,
      },
      rule,
    );
    if (!obs) return invalid(`'${raw}' makes no ${key} observation`);
    obs.identifier = [{ system: systems(deployment).formInstance, value: instance + '#' + key }];
    return JSON.stringify(obs);
  } catch (e) {
    return invalid(e instanceof MappingError ? e.message : 'cannot build the observation');
  }
}

export default extensionLib((what, key, value, unitOrType, instance, subject, field) => {
  if (what.text() === 'observation') return observation(key.text(), value.text(), unitOrType.text(), instance.text(), subject.text(), field.text());
  return invalid(`unknown builder '${what.text()}' (known: observation)`);
});
