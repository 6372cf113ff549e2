/**
 * `npm run bench`: speed measured, not asserted. Starts the embedded runtime as `npm start` does
 * (DynamoDB Local in memory on free ports), measures the raw DynamoDB Local rates as the baseline
 * and every API operation against it in the same run, then the engine and bundle benchmarks.
 * Prints a table and writes bench/results/latest.json.
 */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { startRuntime } from '../infra/local/runtime';
import { measure, round, type BenchResult } from './lib';

const N = Number(process.env.BENCH_N ?? 200);

async function main() {
  const dataDir = mkdtempSync(join(tmpdir(), 'rp-bench-'));
  const rt = await startRuntime({ dataDir, port: 0, sesPort: 0, dynamoPort: 0, inMemory: true, operatorPassword: 'bench-operator-password', backgroundJobs: false });
  const results: BenchResult[] = [];
  try {
    const { deps, url } = rt;
    const call = async (method: string, path: string, body?: unknown, token?: string) => {
      const res = await fetch(`${url}${path}`, {
        method,
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      if (res.status >= 400) throw new Error(`${method} ${path}: ${res.status} ${text}`);
      return text ? JSON.parse(text) : undefined;
    };

    // Baseline: the raw DynamoDB Local rates on this machine, through the same client.
    const rawPut = await measure('raw DynamoDB Local PutItem', N, (i) =>
      deps.db.send(new PutCommand({ TableName: deps.tableName, Item: { PK: 'BENCH', SK: `k${i}`, v: i } })).then(() => undefined),
    );
    const rawGet = await measure('raw DynamoDB Local GetItem', N, (i) =>
      deps.db.send(new GetCommand({ TableName: deps.tableName, Key: { PK: 'BENCH', SK: `k${Math.max(i, 0)}` } })).then(() => undefined),
    );
    results.push(rawPut, rawGet);

    const op = (await call('POST', '/auth/login', { username: 'operator', password: 'bench-operator-password' })).token as string;
    await call('POST', '/operator/resellers', { username: 'benchres', password: 'bench-reseller-password', email: 'b@example.com', limits: { users: -1 } }, op);
    const rs = (await call('POST', '/auth/login', { username: 'benchres', password: 'bench-reseller-password' })).token as string;

    const rel = (r: BenchResult, base: BenchResult) => {
      r.figures.throughput_vs_raw = round(Number(r.figures.ops_per_s) / Number(base.figures.ops_per_s), 3);
      return r;
    };
    results.push(rel(await measure('API POST /auth/login (scrypt)', Math.min(N, 50), async () => {
      await call('POST', '/auth/login', { username: 'benchres', password: 'bench-reseller-password' });
    }, deps.roundTrips), rawGet));
    results.push(rel(await measure('API GET /account', N, async () => {
      await call('GET', '/account', undefined, rs);
    }, deps.roundTrips), rawGet));
    results.push(rel(await measure('API POST /operator/resellers', Math.min(N, 50), async (i) => {
      await call('POST', '/operator/resellers', { username: `bench${i + 1}x${Date.now() % 100000}`, password: 'bench-reseller-password', email: 'b@example.com', limits: { users: 5 } }, op);
    }, deps.roundTrips), rawPut));
    results.push(rel(await measure('API GET /operator/resellers?limit=25', N, async () => {
      await call('GET', '/operator/resellers?limit=25', undefined, op);
    }, deps.roundTrips), rawGet));
    results.push(rel(await measure('API GET /account/messages', N, async () => {
      await call('GET', '/account/messages?limit=25', undefined, rs);
    }, deps.roundTrips), rawGet));

    // Other areas contribute their own benchmarks when present.
    // BENCH_ONLY=<file> runs only that part (after the baseline and API figures).
    const optional = async (file: string) =>
      (!process.env.BENCH_ONLY || process.env.BENCH_ONLY === file) && existsSync(join(import.meta.dirname, `${file}.ts`))
        ? ((await import(`./${file}`)) as Record<string, any>)
        : undefined;
    const cp = await optional('controlpanel');
    if (cp) results.push(...(await cp.runControlPanelBench({ url, deps, operatorToken: op })));
    const idem = await optional('idempotency');
    if (idem) results.push(...(await idem.runIdempotencyBench({ url, deps, operatorToken: op })));
    const billingRun = await optional('billing-run');
    if (billingRun) results.push(...(await billingRun.runBillingRunBench({ deps })));
    const push = await optional('provisioning-push');
    if (push) results.push(...(await push.runProvisioningPushBench({ deps, dataDir })));
    const mail = await optional('mail-outbox');
    if (mail) results.push(...(await mail.runMailOutboxBench(rt, op)));
    const hooks = await optional('webhooks');
    if (hooks) results.push(...(await hooks.runWebhookBench({ deps })));
    const billing = await optional('billing-engine');
    if (billing) results.push(await billing.runBillingBench());
    const bundles = await optional('bundles');
    if (bundles) results.push(...(await bundles.runBundleBench()));
  } finally {
    await rt.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }

  for (const r of results) {
    console.log(`${r.name.padEnd(48)} ${Object.entries(r.figures).map(([k, v]) => `${k}=${v}`).join('  ')}`);
  }
  mkdirSync(join(import.meta.dirname, 'results'), { recursive: true });
  const file = join(import.meta.dirname, 'results', 'latest.json');
  writeFileSync(file, JSON.stringify({ at: new Date().toISOString(), node: process.version, results }, null, 2));
  console.log(`\nwritten to ${file}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
