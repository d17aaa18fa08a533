// openrosa-xpath-evaluator ships no types; these are the parts the form tests use.
declare module 'openrosa-xpath-evaluator/src/extended-xpath' {
  type XPathValue = { t: string; v: unknown };
  interface Extensions {
    func: Record<string, (...args: XPathValue[]) => XPathValue>;
    process?: Record<string, unknown>;
  }
  const ExtendedXPathEvaluator: new (
    wrapped: XPathEvaluator,
    extensions: Extensions,
  ) => {
    evaluate(expr: string, context: Node, nsResolver: XPathNSResolver | null, type: number, result?: unknown): XPathResult;
  };
  export = ExtendedXPathEvaluator;
}
declare module 'openrosa-xpath-evaluator/src/openrosa-extensions' {
  const openrosaXPathExtensions: () => {
    func: Record<string, (...args: Array<{ t: string; v: unknown }>) => { t: string; v: unknown }>;
    process?: Record<string, unknown>;
  };
  export = openrosaXPathExtensions;
}
