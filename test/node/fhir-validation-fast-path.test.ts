import { strict as assert } from 'node:assert';
import { OperationOutcomeError, validateResource } from '@medplum/core';
import { useFastPath } from '../../src/fhir-validation';
import { provablyValid } from '../../src/fhir-validation/fast-path';
import { brokenPushes, corpus, verdict } from '../support/r4-corpus';

describe("FHIR R4 validation: the shortcut past medplum's schema walk", function () {
  this.timeout(300000);
  after(() => useFastPath(true));

  it("gives the same verdicts (issues and texts) as medplum's full walk on every case", () => {
    const cases = [...corpus(), ...brokenPushes()];
    assert.ok(cases.length > 2000, `${cases.length} cases`);
    useFastPath(false);
    const full = cases.map(([, r]) => verdict(r));
    useFastPath(true);
    const fast = cases.map(([, r]) => verdict(r));
    const differ = cases.flatMap(([name], i) =>
      JSON.stringify(full[i]) === JSON.stringify(fast[i]) ? [] : [`${name}: ${full[i].join('; ')} <> ${fast[i].join('; ')}`],
    );
    assert.deepEqual(differ, []);
    // The comparison means something only if the shortcut is taken often, including on examples beyond our pushes.
    const taken = cases.filter(([, r]) => typeof r === 'object' && r !== null && !Array.isArray(r) && provablyValid(r as Record<string, unknown>));
    assert.ok(taken.length > 300, `shortcut taken on ${taken.length} of ${cases.length}`);
    console.log(`      (${cases.length} cases, shortcut taken on ${taken.length})`);
  });

  it('is taken only where medplum finds no error, and on every sample push', () => {
    const cases = [...corpus(), ...brokenPushes()].filter((c): c is [string, Record<string, unknown>] => typeof c[1] === 'object' && c[1] !== null);
    const wrong = cases.filter(([, r]) => provablyValid(r) && medplumErrors(r) > 0).map(([name]) => name);
    assert.deepEqual(wrong, []);
    for (const [name, r] of cases.filter(([n]) => /^push \d+$/.test(n) || SHORTCUT_EXPECTED.includes(n))) assert.ok(provablyValid(r), name);
    // Broken pushes medplum refuses exist (else the list above proves little).
    assert.ok(cases.filter(([n, r]) => n.startsWith('push broken') && medplumErrors(r) > 0).length > 20);
  });
});

/** Valid variants the shortcut must model (else the receiver pays medplum's walk for them). */
const SHORTCUT_EXPECTED = [
  'push broken: extension',
  'push broken: effective as Period',
  'push broken: component ok',
  'push broken: deep backbone (contact)',
  'push broken: meta with lastUpdated',
  'push broken: narrative',
  'push broken: modifierExtension',
  'push broken: contained',
];

function medplumErrors(r: Record<string, unknown>): number {
  try {
    return validateResource(r as unknown as Parameters<typeof validateResource>[0]).filter((i) => i.severity === 'error').length;
  } catch (e) {
    return e instanceof OperationOutcomeError ? (e.outcome.issue ?? []).filter((i) => i.severity === 'error').length || 1 : 1;
  }
}
