/**
 * A doc that cannot be mapped without inventing data. Thrown inside the
 * outbound expr, CHT logs the message and retries the push after the doc is
 * fixed, so the message names the doc and the field.
 */
export class MappingError extends Error {
  constructor(message: string) {
    super('cht-fhir: ' + message);
    this.name = 'MappingError';
  }
}
