import { defineConfig } from 'vitest/config';

/**
 * Three projects. `unit`: pure tests (domain, engine, CDK assertions, the billing CLI) that need no
 * running part, so `npx vitest run --project unit` takes seconds. `http` and `runtime`: everything
 * that talks to the embedded runtime; one runtime (DynamoDB Local, local SES, API server) for the
 * whole run, started by the global setup as `npm start` starts it, in a process of its own. A file
 * that calls inject() must be in `http` or `runtime`. `npm test` runs all three; the JSON report
 * (.test-results.json, read by .ci/run) covers them all.
 */
const UNIT = ['test/unit/**/*.test.ts', 'test/infra/**/*.test.ts', 'test/acceptance/billing/**/*.test.ts'];

/**
 * `http`: files that reach the shared runtime only from outside (HTTP, its DynamoDB Local, the
 * provisioning script) and mock no module or SDK client. They keep one module graph per worker
 * (isolate: false): a file's start was ~0.5 s of fork, imports and compiled response schemas, for
 * files that mostly take a second. A file with a runtime of its own (own-runtime.ts, runtime-process.ts) or a
 * mock goes to `runtime` instead: list it in OWN_RUNTIME or leave it out of ON_SHARED_DB.
 */
const OWN_RUNTIME = ['circulars-scale', 'cors', 'idempotency', 'login-throttle', 'mail-faults', 'webhooks'];
/** Integration files on the shared DynamoDB Local (tables or keys of their own), no runtime of their own. */
const ON_SHARED_DB = ['billing-check', 'billing-request-day', 'controlpanel/*', 'idempotency-store', 'run-store', 'unit-of-work', 'webhook-subscriptions', 'dev-clock', 'stats/usage-daily'];
const HTTP = [
  `test/api/!(${OWN_RUNTIME.join('|')}).test.ts`,
  'test/contract/**/*.test.ts',
  'test/integration/provisioning/**/*.test.ts',
  ...ON_SHARED_DB.map((n) => `test/integration/${n}.test.ts`),
];

/**
 * Test files at once. Vitest's default is one less than the cores: 1 on a 2-core machine,
 * so every file waited for the last even though these files mostly wait themselves (DynamoDB
 * Local, the local agent's pushes, polling for "applied"). Their data never collides (each test
 * makes its own reseller; clock-moving files have runtimes of their own). Three on the 2-core
 * machine: with the shared runtime in a process of its own the suite used ~1.6 of the 2 cores with
 * two, and three were faster both idle (204 s -> 185 s) and with a busy loop taking a core's share
 * (253 s -> 234 s), every test passing (2026-12-03, one sitting).
 * VITEST_RUNTIME_WORKERS overrides it (1 restores the serial run).
 */
const RUNTIME_WORKERS = Math.max(1, Number(process.env.VITEST_RUNTIME_WORKERS ?? 3) || 3);

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // One setting for every project (vitest wants projects of one group order to agree on it).
    maxWorkers: RUNTIME_WORKERS,
    env: { POWERTOOLS_LOG_LEVEL: 'WARN', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    reporters: ['default', ['json', { outputFile: '.test-results.json' }]],
    projects: [
      // One worker keeps its modules from file to file (no test here changes a module's state): CDK and
      // the SDK are imported twice instead of once per file.
      { extends: true, test: { name: 'unit', include: UNIT, isolate: false } },
      {
        extends: true,
        test: { name: 'http', include: HTTP, isolate: false, globalSetup: ['test/support/global-setup.ts'] },
      },
      {
        extends: true,
        test: {
          name: 'runtime',
          include: ['test/**/*.test.ts'],
          exclude: [...UNIT, ...HTTP],
          globalSetup: ['test/support/global-setup.ts'],
        },
      },
    ],
  },
});
