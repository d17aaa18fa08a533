import path from 'node:path';
import { compileInbound } from './definitions';
import { chtClient } from './cht-client';
import type { InboundDeps } from './handle';
import { compileDefinitions } from '../definitions/compile';
import { systems } from '../core/identity';
import type { FhirClient } from '../receiver/fhir-client';
import type { KeyLock } from '../receiver/key-lock';

/** Loads the inbound side from the CHT config folder once, at receiver start. */
export function inboundDeps(opts: { chtUrl: string; root?: string }, fhir: FhirClient, locks: KeyLock): InboundDeps {
  const root = opts.root ?? path.resolve(__dirname, '../..');
  const { model } = compileDefinitions(root);
  return {
    mappings: compileInbound(root),
    cht: chtClient(opts.chtUrl),
    fhir,
    locks,
    chtIdSystem: systems(model.deployment).chtId,
    contactTypes: model.contacts.types,
  };
}
