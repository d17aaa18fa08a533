import { benchExtensionLibs } from './extension-libs';
import { benchOutbox } from './outbox';
import { benchOutbound } from './outbound';
import { benchDefaultForms } from './default-forms';
import { benchReceiver } from './receiver';
import { benchInbound } from './inbound';
import { benchHapi } from './hapi';
import { benchLongitudinal } from './longitudinal';
import { benchOpenhim } from './openhim';

/** `npm run bench`: every benchmark in turn. */
async function main() {
  await benchOutbound();
  await benchDefaultForms();
  await benchExtensionLibs();
  await benchOutbox();
  await benchReceiver();
  await benchInbound();
  await benchLongitudinal();
  await benchHapi();
  await benchOpenhim();
}

main().catch((e) => {
  console.error(`bench failed: ${e.message}`);
  process.exit(1);
});
