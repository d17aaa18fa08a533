import type { Device, Observation, Resource, Specimen } from 'fhir/r4';
import type { ObservationRule } from './model';
import { type Fact, type ReportContext, read } from './rules';
import { dateTime, text } from './values';

/**
 * A point-of-care test's cassette (Device: type, lot, expiry) and sample
 * (Specimen: type, when and by whom collected), made beside the result
 * Observation that references them. Their ids are the Observation's
 * (observations.ts writes the references), so a re-push addresses the same.
 */
export function testResources(ctx: ReportContext, rule: ObservationRule, obs: Observation, fact: Fact): Resource[] {
  const out: Resource[] = [];
  if (rule.device && obs.device?.reference) {
    const device: Device = { resourceType: 'Device', id: obs.device.reference.slice(7), type: ctx.concept(rule.device.code) };
    const lot = rule.device.lot && text(read(ctx, rule.device.lot, fact.scope)[0]);
    if (lot) device.lotNumber = lot;
    const expires = rule.device.expiry && dateTime(read(ctx, rule.device.expiry, fact.scope)[0]);
    if (expires) device.expirationDate = expires;
    if (rule.device.maker) device.manufacturer = rule.device.maker;
    if (fact.subject?.reference) device.patient = fact.subject;
    out.push(device);
  }
  if (rule.specimen && obs.specimen?.reference) {
    const specimen: Specimen = { resourceType: 'Specimen', id: obs.specimen.reference.slice(9), type: ctx.concept(rule.specimen.code) };
    if (fact.subject) specimen.subject = fact.subject;
    const collected = rule.specimen.date ? dateTime(read(ctx, rule.specimen.date, fact.scope)[0]) : obs.effectiveDateTime;
    const collector = obs.performer?.find((p) => p.reference?.startsWith('Practitioner/'));
    if (collected || collector) specimen.collection = { ...(collected ? { collectedDateTime: collected } : {}), ...(collector ? { collector } : {}) };
    out.push(specimen);
  }
  return out;
}
