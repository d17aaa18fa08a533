import { benchExtensionLibs } from './extension-libs';
import { benchOutbox } from './outbox';
import { benchOutbound } from './outbound';
import { benchReceiver } from './receiver';

/** `npm run bench`: every benchmark in turn. */
async function main() {
  await benchOutbound();
  await benchExtensionLibs();
  await benchOutbox();
  await benchReceiver();
}

main().catch((e) => {
  console.error(`bench failed: ${e.message}`);
  process.exit(1);
});
