import { runReceiver } from './main';

/**
 * Entry of the compiled receiver (`node receiver.js [--model <file>]`):
 * plain JavaScript, no config project, no TypeScript. `--model` overrides
 * CHT_FHIR_MODEL.
 */
const at = process.argv.indexOf('--model');
const model = at > 0 ? process.argv[at + 1] : undefined;
void runReceiver(model ? { ...process.env, CHT_FHIR_MODEL: model } : process.env);
