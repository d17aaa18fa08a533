/**
 * The deployment's own data, which the build inlines into each extension lib
 * (rollup virtual modules, see src/compiler/extension-libs.ts).
 */
declare module 'cht-fhir:deployment' {
  const deployment: import('../core/model').Deployment;
  export default deployment;
}
declare module 'cht-fhir:terminology' {
  const terminology: import('../core/terminology-pack').PackedTerminology;
  export default terminology;
}
