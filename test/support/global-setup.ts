import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { spawnRuntime, type ChildReady } from './runtime-spawn';

export const OPERATOR_PASSWORD = 'operator-test-password-1';

declare module 'vitest' {
  export interface ProvidedContext {
    apiUrl: string;
    sesUrl: string;
    dynamoEndpoint: string;
    dynamoCredentials: { accessKeyId: string; secretAccessKey: string };
    tableName: string;
    dataDir: string;
    operatorPassword: string;
  }
}

/**
 * Two projects (runtime, http) name this setup and vitest runs it once for each: the first starts
 * the runtime, the second uses the same one (the main process's globalThis is shared by both), and
 * the last teardown stops it.
 */
interface Shared {
  started: Promise<{ child: ChildProcess; dataDir: string; ready: ChildReady }>;
  users: number;
}
const SHARED = Symbol.for('reseller-panel.test.shared-runtime');
const registry = globalThis as unknown as { [SHARED]?: Shared };

/**
 * Starts the embedded runtime exactly as `npm start` does, on free ports and a throw-away data dir,
 * in a process of its own (test/support/runtime-child.ts, Node with tsx): loaded through vitest's
 * module runner in this process it took ~6 s longer to start, and served every file's requests
 * on the event loop that also runs the workers and the reporters.
 */
export async function setup(project: TestProject) {
  const shared = (registry[SHARED] ??= { started: startShared(), users: 0 });
  shared.users++;
  const { dataDir, ready } = await shared.started;
  project.provide('apiUrl', ready.ready);
  project.provide('sesUrl', ready.sesUrl);
  project.provide('dynamoEndpoint', ready.dynamoEndpoint);
  project.provide('dynamoCredentials', ready.dynamoCredentials);
  project.provide('tableName', ready.tableName);
  project.provide('dataDir', dataDir);
  project.provide('operatorPassword', OPERATOR_PASSWORD);
}

export async function teardown() {
  const shared = registry[SHARED];
  if (!shared || --shared.users > 0) return;
  delete registry[SHARED];
  const { child, dataDir } = await shared.started;
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    const force = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(force);
  }
  rmSync(dataDir, { recursive: true, force: true });
}

async function startShared(): Promise<{ child: ChildProcess; dataDir: string; ready: ChildReady }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'rp-test-'));
  const env = {
    // Failed pushes are retried after 1 s, 2 s, 4 s … (30 s, 1 min … in production), and the
    // provisioning worker also runs every second, so API tests see retries quickly.
    // scrypt at N=2^10 instead of 2^15 (test runtime only), and every test client is 127.0.0.1:
    // the per-address sign-in limit is tried on a runtime of its own (test/api/login-throttle.test.ts).
    PROVISION_RETRY_BASE_SECONDS: '1',
    PROVISION_RETRY_MAX_SECONDS: '4',
    LOCAL_RATE_JOB_INTERVAL_MS: '1000',
    PASSWORD_HASH_COST_LOG2: '10',
    LOGIN_ATTEMPTS_PER_ADDRESS: '100000',
    // A webhook's second attempt after 1 s instead of 5 s (the tenancy matrix waits for two);
    // the third stays minutes away, so a delivery holds still while a test reads it.
    WEBHOOK_RETRY_SECONDS: '1,300,1800,7200,18000',
    ...process.env,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    DATA_DIR: dataDir,
    PORT: '0',
    SES_PORT: '0',
    DYNAMODB_PORT: '0',
    LOCAL_DYNAMODB_URL: '',
    LOCAL_SES_URL: '',
    OPERATOR_PASSWORD,
    CHILD_IN_MEMORY: 'true',
    CHILD_EXIT_WITH_PARENT: 'true',
  };
  const { child, ready } = await spawnRuntime(env, { stderr: 'inherit' });
  return { child, dataDir, ready };
}
