import type { MappingModel } from './model';
import type { InboundDefinition } from './inbound-model';

/**
 * What `cht-fhir build` writes for the receiver (fhir-receiver/model.json):
 * the mapping model of both directions, as data. The receiver needs nothing
 * else of the config project: no XForms, no definition files, no compiler.
 */
export interface ReceiverModel {
  format: typeof RECEIVER_MODEL_FORMAT;
  /** CHT -> FHIR: the model the outbound entry runs (deployment, contact types, forms). */
  outbound: MappingModel;
  /** FHIR -> CHT: the inbound definitions. */
  inbound: InboundDefinition[];
  /**
   * App settings `contact_types` as CHT reads them (id, person, parents), or
   * undefined when the project declares none and CHT's built-in hierarchy
   * applies: where a new person may go and how CHT stores its type.
   */
  contactTypes?: DeclaredContactType[];
}

/** One entry of app settings `contact_types`, as far as CHT's contact-types-utils reads it. */
export interface DeclaredContactType {
  id: string;
  person?: boolean;
  parents?: string[];
}

export const RECEIVER_MODEL_FORMAT = 2;

/** Parses a model file, refusing one this receiver cannot run (another format, not a model). */
export function parseReceiverModel(text: string, file: string): ReceiverModel {
  let data: Partial<ReceiverModel> | undefined;
  try {
    data = JSON.parse(text) as Partial<ReceiverModel>;
  } catch (e) {
    throw new Error(`${file}: not JSON (${(e as Error).message}); rebuild it with cht-fhir build`);
  }
  if (!data || typeof data !== 'object' || data.format !== RECEIVER_MODEL_FORMAT || !data.outbound?.deployment || !Array.isArray(data.inbound)) {
    throw new Error(`${file}: not a cht-fhir receiver model of format ${RECEIVER_MODEL_FORMAT}; rebuild it with this version's cht-fhir build`);
  }
  return data as ReceiverModel;
}
