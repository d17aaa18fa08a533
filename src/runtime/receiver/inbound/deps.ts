import { chtClient } from './cht-client';
import { FormCheck } from './form-check';
import type { ChtClient } from './cht-client';
import type { InboundMapping } from '../../../core/inbound-model';
import type { Deployment } from '../../../core/model';
import type { FhirClient } from '../fhir-client';
import type { KeyLock } from '../key-lock';
import { compileMapping } from '../../../core/inbound-model';
import type { DeclaredContactType, ReceiverModel } from '../../../core/receiver-model';

/** What the inbound side works with. */
export interface InboundDeps {
  mappings: InboundMapping[];
  cht: ChtClient;
  fhir: FhirClient;
  locks: KeyLock;
  deployment: Deployment;
  /** Contact type -> person or place, from app settings contact_types. */
  contactTypes: Record<string, 'Patient' | 'Practitioner' | 'Place'>;
  /** App settings contact_types as CHT reads them (undefined: CHT's built-in hierarchy). */
  hierarchy: DeclaredContactType[] | undefined;
  /** Whether CHT knows each inbound JSON form (checked at start, then at most once a minute). */
  forms: FormCheck;
}

/** The inbound side from the receiver model, once, at receiver start. */
export function inboundDeps(opts: { chtUrl: string; model: ReceiverModel }, fhir: FhirClient, locks: KeyLock): InboundDeps {
  const cht = chtClient(opts.chtUrl);
  return {
    mappings: opts.model.inbound.map(compileMapping),
    cht,
    fhir,
    locks,
    deployment: opts.model.outbound.deployment,
    contactTypes: opts.model.outbound.contacts.types,
    hierarchy: opts.model.contactTypes,
    forms: new FormCheck(cht),
  };
}

/** The JSON forms the inbound mappings write that CHT does not have (start-up check). */
export function inboundForms(deps: InboundDeps): string[] {
  return deps.mappings.filter((m) => m.def.write === 'report' && m.def.form).map((m) => m.def.form as string);
}
