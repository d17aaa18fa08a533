import { buildExtensionLibs, writeExtensionLibs } from './extension-libs';

async function main() {
  const libs = await buildExtensionLibs();
  writeExtensionLibs(libs);
  for (const [name, code] of libs) console.log(`extension-libs/${name}  ${code.length} bytes`);
}

main().catch((e) => {
  console.error(`build failed: ${e.message}`);
  process.exit(1);
});
