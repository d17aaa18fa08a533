import path from 'node:path';
import type { Plugin } from 'rollup';
import { PKG } from './paths';
import { compactSerializedAtn } from './antlr-atn';

const SUPPORT = path.join(PKG, 'src/runtime/extension-libs/support');
const COMPACT_DATA = '\0fhirpath-r4-compact-data';

/**
 * What makes the FHIRPath lib small (see docs/extension-libs.md):
 * - @lhncbc/ucum-lhc, required by fhirpath for unit conversion, becomes a
 *   small shim (support/ucum-shim.ts);
 * - the R4 model's JSON maps ship as the compact text computed here at build
 *   time (support/r4-model-codec.ts), instead of being encoded on the phone;
 * - the parser's state machine is packed into printable ASCII (antlr-atn.ts);
 * - features that need a server (terminology services: memberOf, %terminologies;
 *   resolving canonical URLs), build new values (%factory) or check XHTML
 *   narratives (htmlChecks) are replaced by stubs; calling them is an error,
 *   which the lib turns into the empty value. In the lib's sync mode fhirpath
 *   refuses the server functions anyway.
 */
const STUBS: Record<string, string> = {
  'src/terminologies.js':
    "function Terminologies() { throw new Error('terminology services are not available in the extension lib'); }\n" +
    'Terminologies.validateVS = Terminologies.findBundleResource = Terminologies.preferredServerKey = Terminologies;\nmodule.exports = Terminologies;\n',
  'src/factory.js': 'function Factory() {}\nFactory.invocationTable = {};\nmodule.exports = Factory;\n',
  // Polyfills for IE-era browsers; CHT's Chrome/WebView has them, and a lib should not patch String.prototype.
  'src/polyfill.js': 'module.exports = {};\n',
  'src/html-checks.js': "module.exports = { htmlChecksFn: function () { throw new Error('htmlChecks() is not available in the extension lib'); } };\n",
};

export function fhirpathLibPlugins(): Plugin[] {
  return [
    {
      name: 'fhirpath-lib',
      resolveId(source, importer) {
        if (source === '@lhncbc/ucum-lhc' && importer?.includes('/node_modules/fhirpath/')) return path.join(SUPPORT, 'ucum-shim.ts');
        if (source === './r4-compact-data' && importer === path.join(SUPPORT, 'r4-model.ts')) return COMPACT_DATA;
        return null;
      },
      transform(code, id) {
        if (id.includes('/node_modules/@loxjs/url-join/'))
          return { code: "module.exports = function () { throw new Error('no FHIR server in the extension lib'); };\n", map: null };
        const inFhirpath = id.split('/node_modules/fhirpath/')[1];
        if (!inFhirpath) return null;
        if (STUBS[inFhirpath]) return { code: STUBS[inFhirpath], map: null };
        // decimal.js resolves to its ES module here (its UMD file would obey a page's AMD `define`); take its default export.
        if (code.includes("require('decimal.js')")) return { code: code.replace("require('decimal.js')", "require('decimal.js').default"), map: null };
        if (inFhirpath.startsWith('src/parser/generated/')) {
          const packed = compactSerializedAtn(code);
          return packed ? { code: packed, map: null } : null;
        }
        return null;
      },
      load(id) {
        if (id !== COMPACT_DATA) return null;
        // Encoded here, at build time (required lazily: only this lib pays for it).
        // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy: only this lib's build pays for the encoding
        const data = require('../runtime/extension-libs/support/r4-compact-data') as typeof import('../runtime/extension-libs/support/r4-compact-data');
        return Object.entries({ compact: data.compact, pathsDefinedElsewhere: data.pathsDefinedElsewhere, resourcesWithUrlParam: data.resourcesWithUrlParam })
          .map(([name, value]) => `export const ${name} = ${JSON.stringify(value)};`)
          .join('\n');
      },
    },
  ];
}
