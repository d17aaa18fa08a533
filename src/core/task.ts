import type { Reference, Task } from 'fhir/r4';
import type { FulfilsRule } from './model';
import { type ReportContext, read, where } from './rules';
import { fullPath } from './fields';
import { resourceId } from './identity';
import { own, text } from './values';
import { MappingError } from './mapping-error';
import { FHIR_ID } from './ids';

const REQUEST_REF = new RegExp(`^(ServiceRequest|CarePlan|MedicationRequest|DeviceRequest)/${FHIR_ID}$`);

/** The request this report acts on, as a reference, or undefined when the field is empty. */
export function requestRef(ctx: ReportContext, rule: FulfilsRule): Reference | undefined {
  // Through the shape: the build names fields by their shortest suffix (fields.ts fullPath).
  const value = text(read(ctx, rule.field, {})[0]);
  if (!value) return undefined;
  if (!REQUEST_REF.test(value)) throw new MappingError(`${where(ctx)}: field '${rule.field}' is not a request reference: '${value.slice(0, 80)}'`);
  return { reference: value };
}

/** A Task telling the requester what became of the request. */
export function fulfilmentTask(ctx: ReportContext, rule: FulfilsRule, request: Reference, encounter: Reference): Task {
  const answer = rule.statusField ? text(read(ctx, rule.statusField, {})[0]) : undefined;
  const task: Task = {
    resourceType: 'Task',
    id: resourceId(ctx.d, 'Task', ctx.key, fullPath(ctx.shape, rule.field)),
    status: (answer && own(rule.statuses, answer)) || 'completed',
    intent: 'order',
    basedOn: [request],
    focus: request,
    encounter,
  };
  if (ctx.subject) task.for = ctx.subject;
  if (ctx.effective) task.authoredOn = task.lastModified = ctx.effective;
  if (ctx.performer) task.owner = ctx.performer[0];
  if (answer) task.businessStatus = { text: answer };
  return task;
}
