import { resourceId, type ResourceKind } from '../../core/identity';
import { deployment } from './support/deployment';
import { extensionLib } from './support/calling-convention';

/**
 * cht:extension-lib('fhir-id.js', /data/meta/instanceID, 'Observation/vitals.weight')
 * The id the outbound push gives the resource a report makes: `<Type>` for
 * the report's Encounter or QuestionnaireResponse, `<Type>/<part>` for one made
 * from a field (`<field>`, `<field>=<answer>` for a coded answer, repeat
 * instances as `<repeat>[n]`). Same deployment namespace, same core function,
 * so the id computed in the form is the id in the pushed Bundle.
 */
export default extensionLib((key, role) => {
  const k = key.text();
  const r = role.text();
  if (!k || !r) return '';
  const slash = r.indexOf('/');
  const kind = (slash < 0 ? r : r.slice(0, slash)) as ResourceKind;
  return resourceId(deployment, kind, k, slash < 0 ? undefined : r.slice(slash + 1));
});
