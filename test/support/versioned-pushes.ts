import type { FhirResource, Patient } from 'fhir/r4';
import { compileDefinitions } from '../../src/compiler/definitions/compile';
import { mapDoc } from '../../src/core/map-doc';
import { transactionOf } from '../../src/core/bundle';
import { withSourceVersion } from '../../src/core/source-version';
import { ROOT } from '../../harness/repo';

export interface VersionedPush {
  /** The push body, as that kind of client sends it. */
  body: unknown;
  /** `Patient/<id>`: the one resource the versions are of. */
  key: string;
  /** Tells the versions apart: `V<n>`. */
  name(r: FhirResource): string | undefined;
}

let compiled: ReturnType<typeof compileDefinitions> | undefined;

/**
 * Version `n` of one Patient (`run` names it; its name is `content`, `V<n>` by default), as each kind of client pushes
 * it: the browser outbox (versioned by its queue, `urn:uuid:<queue>#<n>`) and
 * CHT (a contact doc mapped by the outbound core, versioned by its `_rev`).
 */
export const versionedPushes: Record<'outbox' | 'cht', (run: string, n: number, content?: string) => VersionedPush> = {
  outbox: (run, n, content = `V${n}`) => {
    const id = `versions-${run}`;
    const queue = `urn:uuid:5b0e9f7c-1c1d-4f55-9b1e-${Buffer.from(run).toString('hex').padStart(12, '0').slice(-12)}`;
    const p = withSourceVersion<Patient>(
      { resourceType: 'Patient', id, name: [{ family: content }] },
      { source: queue, version: n },
      'https://fhir.example.org/StructureDefinition/source-version',
    );
    return { body: transactionOf([p]), key: `Patient/${id}`, name: (r) => (r as Patient).name?.[0]?.family };
  },
  cht: (run, n, content = `V${n}`) => {
    compiled ??= compileDefinitions(ROOT);
    const bundle = mapDoc(compiled.model, {
      _id: `person-versions-${run}`,
      _rev: `${n}-abc${n}`,
      type: 'person',
      name: content,
      parent: { _id: 'hc-1' },
      reported_date: 0,
    });
    const patient = bundle.entry!.find((e) => e.resource!.resourceType === 'Patient')!.resource as Patient;
    return { body: { bundle }, key: `Patient/${patient.id}`, name: (r) => (r as Patient).name?.[0]?.text };
  },
};
