import settings from '../../../app_settings/fhir/settings.json';
import type { Deployment } from '../../core/model';

/** The deployment's id namespace and identifier base, fixed at build time so phones mint the server's ids. */
export const deployment: Deployment = {
  identifierBase: settings.identifier_base,
  namespace: settings.id_namespace.toLowerCase(),
};
