import type { DemoSummary } from './demo';

/** The demo's closing report, as plain lines. */
export function formatSummary(s: DemoSummary): string[] {
  const landed = Object.entries(s.resources).filter(([, n]) => n > 0);
  const total = landed.reduce((a, [, n]) => a + n, 0);
  const fhir = s.urls.fhir;
  return [
    '',
    `docs           ${s.docs} sample CHT docs (every reference form and contact type), each pushed twice as CHT retries would`,
    `pushes         ${s.pushes} (${s.failedPushes} failed)`,
    `resources      ${total} landed: ${landed.map(([t, n]) => `${t} ${n}`).join(', ')}`,
    `invalid        ${s.invalid} (every stored resource validated against FHIR R4)`,
    `duplicates     ${s.duplicates} (resources the second pass added)`,
    `time           ${s.seconds.toFixed(1)} s`,
    '',
    'Browse the FHIR resources:',
    ...landed.map(([t]) => `  ${fhir}/${t}`),
    `Receiver: ${s.urls.receiver}/health`,
    ...(s.openhim
      ? [
          '',
          `OpenHIM ${s.openhim.version} (real openhim-core, in-memory MongoDB; lost on exit):`,
          `  transactions ${Object.entries(s.openhim.transactions)
            .map(([status, n]) => `${status} ${n}`)
            .join(', ')}`,
          `  router  ${s.openhim.routerUrl}  (CHT's outbound base_url)`,
          `  API     ${s.openhim.apiUrl}/transactions  (self-signed; user ${s.openhim.username} / ${s.openhim.password})`,
          `  console not bundled: point an openhim-console at ${s.openhim.apiUrl} (open that URL once to accept its certificate)`,
        ]
      : []),
  ];
}
