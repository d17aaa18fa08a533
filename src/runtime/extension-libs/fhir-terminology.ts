import { extensionLib } from './support/calling-convention';
import { concept, unit } from './support/terminology-table';
import { displayOf } from '../../core/terminology';

/**
 * Codes and display names from app_settings/fhir/terminology.json.
 *   cht:extension-lib('fhir-terminology.js', 'display', 'body-weight', 'fr') -> 'Poids corporel'
 *   cht:extension-lib('fhir-terminology.js', 'code', 'body-weight')         -> 'http://loinc.org|29463-7'
 *   cht:extension-lib('fhir-terminology.js', 'system' | 'value', 'body-weight')
 *   cht:extension-lib('fhir-terminology.js', 'unit', 'Cel', 'fr')           -> '\u00b0C'
 * Unknown keys give ''.
 */
export default extensionLib((what, key, lang) => {
  const k = key.text();
  switch (what.text()) {
    case 'display': {
      const c = concept(k);
      return c ? displayOf(c, lang.text()) : '';
    }
    case 'code': {
      const c = concept(k);
      return c && c.system && c.code ? c.system + '|' + c.code : '';
    }
    case 'system':
      return concept(k)?.system ?? '';
    case 'value':
      return concept(k)?.code ?? '';
    case 'unit': {
      const u = unit(k);
      return u ? displayOf(u, lang.text()) : '';
    }
    default:
      return '';
  }
});
