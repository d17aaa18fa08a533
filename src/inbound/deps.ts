import path from 'node:path';
import { compileInbound } from './definitions';
import { chtClient } from './cht-client';
import { FormCheck } from './form-check';
import type { InboundDeps } from './handle';
import { compileDefinitions } from '../definitions/compile';
import type { FhirClient } from '../receiver/fhir-client';
import type { KeyLock } from '../receiver/key-lock';

/** Loads the inbound side from the CHT config folder once, at receiver start. */
export function inboundDeps(opts: { chtUrl: string; root?: string }, fhir: FhirClient, locks: KeyLock): InboundDeps {
  const root = opts.root ?? path.resolve(__dirname, '../..');
  const { model } = compileDefinitions(root);
  const cht = chtClient(opts.chtUrl);
  return {
    mappings: compileInbound(root),
    cht,
    fhir,
    locks,
    deployment: model.deployment,
    contactTypes: model.contacts.types,
    forms: new FormCheck(cht),
  };
}

/** The JSON forms the inbound mappings write that CHT does not have (start-up check). */
export function inboundForms(deps: InboundDeps): string[] {
  return deps.mappings.filter((m) => m.def.write === 'report' && m.def.form).map((m) => m.def.form as string);
}
