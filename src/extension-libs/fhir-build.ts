import type { OperationOutcome } from 'fhir/r4';
import { extensionLib } from './support/calling-convention';
import { concept } from './support/terminology-table';
import { deployment } from './support/deployment';
import { codeableConcept } from '../core/terminology';
import { observationsFor } from '../core/observations';
import { refTo, resourceId, systems } from '../core/identity';
import type { ObservationRule, ObservationValue } from '../core/model';
import { MappingError } from '../core/errors';

/**
 * FHIR built on the phone by the same core as the server side.
 *   cht:extension-lib('fhir-build.js', 'observation', 'body-weight', /data/weight, 'kg', /data/meta/instanceID [, /data/patient_uuid])
 * The 4th argument is a UCUM unit (a Quantity) or a value type: integer,
 * boolean, string, dateTime, coded (the value is then a concept key).
 * Returns the resource as JSON text; '' while the field is empty; an
 * OperationOutcome as JSON text when the input cannot make valid FHIR.
 */
const TYPES: ObservationValue[] = ['integer', 'boolean', 'string', 'dateTime', 'coded'];

function outcome(message: string): string {
  const o: OperationOutcome = { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'invalid', diagnostics: message }] };
  return JSON.stringify(o);
}

function observation(key: string, raw: string, unitOrType: string, instance: string, subject: string): string {
  if (!raw) return '';
  const c = concept(key);
  if (!c) return outcome(`unknown concept '${key}'`);
  if (!instance) return outcome('no form instance id to derive a stable id from');
  const value: ObservationValue = TYPES.indexOf(unitOrType as ObservationValue) >= 0 ? (unitOrType as ObservationValue) : unitOrType ? 'quantity' : 'string';
  const rule: ObservationRule = { field: 'value', code: codeableConcept(c), value, required: true };
  if (value === 'quantity') rule.unit = { code: unitOrType };
  if (c.category) rule.category = c.category;
  if (value === 'coded') {
    const answer = concept(raw);
    if (!answer) return outcome(`unknown answer concept '${raw}'`);
    rule.answers = { [raw]: codeableConcept(answer) };
  }
  try {
    const [obs] = observationsFor(
      {
        form: key,
        docId: instance,
        fields: { value: raw },
        subject: subject ? refTo(deployment, 'Patient', subject) : undefined,
        idFor: (kind, part) => resourceId(deployment, kind, instance, part),
      },
      rule,
    );
    obs.identifier = [{ system: systems(deployment).formInstance, value: instance + '#' + key }];
    return JSON.stringify(obs);
  } catch (e) {
    return outcome(e instanceof MappingError ? e.message : 'cannot build the observation');
  }
}

export default extensionLib((what, key, value, unitOrType, instance, subject) => {
  if (what.text() === 'observation') return observation(key.text(), value.text(), unitOrType.text(), instance.text(), subject.text());
  return outcome(`unknown builder '${what.text()}' (known: observation)`);
});
