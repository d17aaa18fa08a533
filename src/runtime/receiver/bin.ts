import { runReceiver } from './main';

/**
 * Entry of the compiled receiver (`node receiver.js [--model <file>]`):
 * plain JavaScript, no config project, no TypeScript. `--model` overrides
 * CHT_FHIR_MODEL; everything else is configured by the environment.
 */
const args = process.argv.slice(2);
const model = args[0] === '--model' ? args[1] : undefined;
if (args.length && (args.length !== 2 || !model)) {
  console.error(`usage: node receiver.js [--model <file>] (got: ${args.join(' ')}); other settings come from the environment, see docs/receiver.md`);
  process.exit(2);
}
void runReceiver(model ? { ...process.env, CHT_FHIR_MODEL: model } : process.env);
