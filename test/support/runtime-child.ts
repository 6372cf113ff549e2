/**
 * The embedded runtime as a process of its own (test/support/runtime-process.ts and the global
 * setup start it): what `npm start` runs, on the data directory and ports of the environment,
 * without building the console. It prints one JSON line with its addresses when it is ready, and
 * stops on SIGTERM. `CHILD_IN_MEMORY=true` keeps its DynamoDB Local in memory;
 * `CHILD_EXIT_WITH_PARENT=true` stops it when its stdin closes (the parent is gone, however it ended).
 */
import { optionsFromEnv, startRuntime } from '../../infra/local/runtime';
import type { ChildReady } from './runtime-spawn';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const opts = optionsFromEnv(process.env);
const background = process.env.CHILD_BACKGROUND_JOBS !== 'false';
const runtime = await startRuntime({
  ...opts,
  consoleDir: undefined,
  backgroundJobs: background,
  queues: true,
  inMemory: process.env.CHILD_IN_MEMORY === 'true',
});
const ready: ChildReady = {
  ready: runtime.url,
  sesUrl: runtime.sesUrl,
  dynamoEndpoint: runtime.dynamoEndpoint,
  dynamoCredentials: runtime.dynamoCredentials,
  tableName: runtime.tableName,
};
process.stdout.write(`${JSON.stringify(ready)}\n`);
let stopping: Promise<void> | undefined;
const stop = () => (stopping ??= runtime.stop().then(() => process.exit(0)));
process.on('SIGTERM', () => void stop());
if (process.env.CHILD_EXIT_WITH_PARENT === 'true') {
  process.stdin.on('close', () => void stop());
  process.stdin.resume();
}
