import type { Bundle, BundleEntry, Resource } from 'fhir/r4';
import type { Deployment } from './model';
import { resourceId } from './identity';

/**
 * A transaction that writes each resource at its stable id (PUT = create or
 * update), so delivering it twice leaves the same resources as delivering it
 * once, and no order between bundles matters.
 */
export function transaction(d: Deployment, chtId: string, resources: Resource[]): Bundle {
  return {
    resourceType: 'Bundle',
    id: resourceId(d, 'Bundle', chtId),
    type: 'transaction',
    entry: resources.map(
      (r): BundleEntry => ({
        fullUrl: 'urn:uuid:' + r.id,
        resource: r,
        request: { method: 'PUT', url: r.resourceType + '/' + r.id },
      }),
    ),
  };
}
