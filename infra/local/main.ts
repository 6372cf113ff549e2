/**
 * `npm start`: the whole product on one machine. Ctrl-C stops everything cleanly; data stays
 * under $DATA_DIR (default .data/) and a restart finds it all.
 */
import { optionsFromEnv, startRuntime } from './runtime';
import { ensureConsoleBuilt } from './console-files';

async function main() {
  // The SDK warns that its 2027 releases will want Node 22; Lambda runs 22, and Node 20 is supported
  // here by the pinned versions. Said once in the README instead of on every start.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const opts = optionsFromEnv(process.env);
  // A fresh clone (or changed web/ sources) gets the console built before it is served at GET /.
  await ensureConsoleBuilt((l) => console.log(`[reseller-panel] ${l}`));
  const runtime = await startRuntime({ ...opts, log: (l) => console.log(`[reseller-panel] ${l}`) });
  if (runtime.generatedOperatorPassword) {
    console.log('');
    console.log('  First start: the operator account was created.');
    console.log('    username: operator');
    console.log(`    password: ${runtime.generatedOperatorPassword}`);
    console.log('  It is shown this once; change it with POST /account/password.');
    console.log('');
  }
  console.log(`[reseller-panel] ready: ${runtime.url}/ (console), ${runtime.url}/health  (data in ${runtime.dataDir})`);
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`[reseller-panel] ${signal}: stopping`);
    await runtime.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((e: Error) => {
  console.error(`[reseller-panel] could not start: ${e.message}`);
  process.exit(1);
});
