import type { CapabilityStatement, CapabilityStatementRestResource } from 'fhir/r4';
import type { InboundMapping } from '../../../core/inbound-model';

/**
 * GET /fhir/metadata: what this endpoint does, and nothing more: create
 * (POST, with or without an id) and update (PUT) of each resource type an
 * inbound mapping takes, and batch/transaction Bundles of those at POST /fhir.
 */
export function capabilityStatement(mappings: InboundMapping[], date: string): CapabilityStatement {
  const types = [...new Set(mappings.map((m) => m.def.resource))].sort();
  return {
    resourceType: 'CapabilityStatement',
    status: 'active',
    date,
    kind: 'instance',
    software: { name: 'cht-fhir receiver' },
    implementation: { description: 'FHIR -> CHT: resources written to the Community Health Toolkit' },
    fhirVersion: '4.0.1',
    format: ['application/fhir+json', 'application/json'],
    rest: [
      {
        mode: 'server',
        documentation:
          'POST without an id needs a business identifier (or If-None-Exist: identifier=<system>|<value>); the same identifier is the same resource.',
        resource: types.map((type) => ({
          // Mapping files name R4 resource types (checked by the definition schema).
          type: type as CapabilityStatementRestResource['type'],
          interaction: [{ code: 'create' }, { code: 'update' }],
          versioning: 'versioned-update',
          updateCreate: true,
          conditionalCreate: true,
        })),
        interaction: [{ code: 'transaction' }, { code: 'batch' }],
      },
    ],
  };
}
