import data from 'cht-fhir:deployment';
import type { Deployment } from '../../../core/model';

/** The deployment's id namespace and identifier base, fixed at build time so phones mint the server's ids. */
export const deployment: Deployment = data;
