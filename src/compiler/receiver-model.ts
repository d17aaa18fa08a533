import type { Compiled } from './definitions/compile';
import type { InboundDefinition } from '../core/inbound-model';
import { RECEIVER_MODEL_FORMAT, type ReceiverModel } from '../core/receiver-model';

/** The receiver's model from the compiled definitions (see core/receiver-model). */
export function receiverModel(compiled: Compiled, inbound: InboundDefinition[]): ReceiverModel {
  return { format: RECEIVER_MODEL_FORMAT, outbound: compiled.model, inbound, ...(compiled.contactTypes ? { contactTypes: compiled.contactTypes } : {}) };
}

export function receiverModelText(model: ReceiverModel): string {
  return JSON.stringify(model) + '\n';
}
