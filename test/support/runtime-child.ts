/**
 * The embedded runtime as a process of its own (test/support/runtime-process.ts starts it): what
 * `npm start` runs, on the data directory and ports of the environment, without building the
 * console. It prints one JSON line with its URL when it is ready, and stops on SIGTERM.
 */
import { optionsFromEnv, startRuntime } from '../../infra/local/runtime';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const opts = optionsFromEnv(process.env);
const background = process.env.CHILD_BACKGROUND_JOBS !== 'false';
const runtime = await startRuntime({ ...opts, consoleDir: undefined, backgroundJobs: background, queues: true });
process.stdout.write(`${JSON.stringify({ ready: runtime.url, sesUrl: runtime.sesUrl })}\n`);
process.on('SIGTERM', () => {
  void runtime.stop().then(() => process.exit(0));
});
