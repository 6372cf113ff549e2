import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startRuntime, type Runtime } from '../../infra/local/runtime';

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

let runtime: Runtime | undefined;
let dataDir: string | undefined;

/** Starts the embedded runtime exactly as `npm start` does, on free ports and a throw-away data dir. */
export async function setup(project: TestProject) {
  dataDir = mkdtempSync(join(tmpdir(), 'rp-test-'));
  runtime = await startRuntime({
    dataDir,
    port: 0,
    sesPort: 0,
    dynamoPort: 0,
    inMemory: true,
    operatorPassword: OPERATOR_PASSWORD,
    // Failed pushes are retried after 1 s, 2 s, 4 s … (30 s, 1 min … in production), and the
    // provisioning worker also runs every 300 ms, so API tests see retries quickly.
    // scrypt at N=2^10 instead of 2^15 (test runtime only), and every test client is 127.0.0.1:
    // the per-address sign-in limit is tried on a runtime of its own (test/api/login-throttle.test.ts).
    env: {
      PROVISION_RETRY_BASE_SECONDS: '1',
      PROVISION_RETRY_MAX_SECONDS: '4',
      LOCAL_RATE_JOB_INTERVAL_MS: '1000',
      PASSWORD_HASH_COST_LOG2: '10',
      LOGIN_ATTEMPTS_PER_ADDRESS: '100000',
      // A webhook's second attempt after 1 s instead of 5 s (the tenancy matrix waits for two);
      // the third stays minutes away, so a delivery holds still while a test reads it.
      WEBHOOK_RETRY_SECONDS: '1,300,1800,7200,18000',
      ...process.env,
    },
  });
  project.provide('apiUrl', runtime.url);
  project.provide('sesUrl', runtime.sesUrl);
  project.provide('dynamoEndpoint', runtime.dynamoEndpoint);
  project.provide('dynamoCredentials', runtime.dynamoCredentials);
  project.provide('tableName', runtime.tableName);
  project.provide('dataDir', dataDir);
  project.provide('operatorPassword', OPERATOR_PASSWORD);
}

export async function teardown() {
  await runtime?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
}
