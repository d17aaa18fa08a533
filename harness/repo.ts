import path from 'node:path';
import { compileDefinitions } from '../src/compiler/definitions/compile';
import { readInbound } from '../src/compiler/definitions/inbound';
import { receiverModel } from '../src/compiler/receiver-model';
import type { ReceiverModel } from '../src/core/receiver-model';

/** This repository: the reference cht-conf project the tests run on. */
export const ROOT = path.resolve(__dirname, '..');

let model: ReceiverModel | undefined;
/** The receiver model of this repository's config (what `cht-fhir build` writes), compiled once. */
export function referenceModel(): ReceiverModel {
  model ??= receiverModel(compileDefinitions(ROOT), readInbound(ROOT));
  return model;
}

/** The receiver model of another project folder (a test's scratch copy), or this repository's. */
export function referenceModelAt(root?: string): ReceiverModel {
  return root ? receiverModel(compileDefinitions(root), readInbound(root)) : referenceModel();
}
