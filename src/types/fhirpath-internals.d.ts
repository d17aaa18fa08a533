// fhirpath's helper that completes a model context (CommonJS, untyped upstream).
declare module 'fhirpath/fhir-context/general-additions.js' {
  export function updateWithGeneratedData(modelInfo: object): void;
  export function arrToHash(arr: string[]): Record<string, true>;
}
