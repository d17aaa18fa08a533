import ExtendedXPathEvaluator from 'openrosa-xpath-evaluator/src/extended-xpath';
import openrosaExtensions from 'openrosa-xpath-evaluator/src/openrosa-extensions';
import { loadLibLikeCht } from './cht-loader';

/**
 * A minimal form engine for tests: the XForm's own instance and calculate
 * binds, evaluated by the real openrosa-xpath-evaluator with CHT's
 * `extension-lib` function wired the way the CHT webapp wires it (first
 * argument is the lib name, the rest are passed through as XPath values).
 */
export interface FormRun {
  instance: Document;
  set(path: string, value: string): void;
  get(path: string): string;
  recalculate(): void;
}

type XPathValue = { t: string; v: unknown };

async function extensionLibFunction(): Promise<(...args: XPathValue[]) => XPathValue> {
  const names = ['fhir-id.js', 'fhir-build.js', 'fhir-terminology.js', 'fhirpath.js'];
  const libs: Record<string, (...a: unknown[]) => unknown> = {};
  for (const n of names) {
    try {
      libs[n] = await loadLibLikeCht(n);
    } catch {
      // a lib that is not built yet is simply absent, as in CHT
    }
  }
  // As webapp/src/js/enketo/medic-xpath-extensions.js: the first argument's
  // value names the lib, the rest go through untouched, `this` is null.
  return (...args: XPathValue[]) => {
    const first = args.shift();
    const id = first && String(first.v);
    const lib = id ? libs[id] : undefined;
    if (!lib) throw new Error(`Form configuration error: no extension-lib with ID "${id}" found`);
    return lib.call(null, ...args) as XPathValue;
  };
}

export async function runForm(formId: string): Promise<FormRun> {
  const res = await fetch(`/base/forms/app/${formId}.xml`);
  const xform = new DOMParser().parseFromString(await res.text(), 'text/xml');
  const root = xform.getElementsByTagName('instance')[0].firstElementChild as Element;
  // Enketo evaluates against the instance without the XForms default namespace.
  const instance = document.implementation.createDocument(null, null, null);
  const copy = (el: Element): Element => {
    const out = instance.createElement(el.localName);
    for (const a of Array.from(el.attributes)) if (!a.name.startsWith('xmlns')) out.setAttribute(a.name, a.value);
    for (const c of Array.from(el.childNodes)) out.appendChild(c.nodeType === 1 ? copy(c as Element) : instance.createTextNode(c.textContent ?? ''));
    return out;
  };
  instance.appendChild(copy(root));
  // Enketo sets meta/instanceID once when the form opens, not on every recalculation.
  const binds = Array.from(xform.getElementsByTagName('bind')).filter(
    (b) => b.getAttribute('calculate') && !/\/meta\/instanceID$/.test(b.getAttribute('nodeset') ?? ''),
  );

  const ore = openrosaExtensions();
  const extensionLib = await extensionLibFunction();
  const evaluator = new ExtendedXPathEvaluator(new XPathEvaluator(), { ...ore, func: { ...ore.func, 'cht:extension-lib': extensionLib } });

  const node = (path: string): Element => {
    const n = instance.evaluate(path, instance, null, XPathResult.FIRST_ORDERED_NODE_TYPE, null).singleNodeValue;
    if (!n) throw new Error(`no node ${path} in ${formId}`);
    return n as Element;
  };
  return {
    instance,
    set: (path, value) => void (node(path).textContent = value),
    get: (path) => node(path).textContent ?? '',
    recalculate() {
      for (const bind of binds) {
        const target = node(bind.getAttribute('nodeset') as string);
        const result = evaluator.evaluate(bind.getAttribute('calculate') as string, target, null, XPathResult.STRING_TYPE);
        target.textContent = result.stringValue;
      }
    },
  };
}
