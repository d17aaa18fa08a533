import type { Bundle, BundleEntry, Resource } from 'fhir/r4';
import type { Deployment } from './model';
import { resourceId } from './identity';

/**
 * A transaction that writes each resource at its stable id (PUT = create or
 * update), so delivering it twice leaves the same resources as delivering it
 * once, and no order between bundles matters. This is the receiver's push
 * contract: fullUrl `urn:uuid:<id>` (client-assigned ids; stable ids are
 * UUIDs), request `PUT <Type>/<id>`, in the given order. The outbound entry
 * and the browser outbox both build their pushes here.
 */
export function transactionOf(resources: readonly Resource[], id?: string): Bundle {
  return {
    resourceType: 'Bundle',
    ...(id ? { id } : {}),
    type: 'transaction',
    entry: resources.map((r): BundleEntry => ({
      fullUrl: 'urn:uuid:' + r.id,
      resource: r,
      request: { method: 'PUT', url: r.resourceType + '/' + r.id },
    })),
  };
}

/** The push of one CHT doc: its resources, the Bundle's id stable too. */
export function transaction(d: Deployment, chtId: string, resources: Resource[]): Bundle {
  return transactionOf(resources, resourceId(d, 'Bundle', chtId));
}
