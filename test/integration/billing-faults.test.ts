/**
 * The daily billing run under faults, on the embedded runtime: each run bills FAULT_ACCOUNTS (500)
 * accounts due that day and its ledger must equal a clean run's, line for line (dates taken
 * relative to the run's day: every scenario runs on the 2nd of a month after a 30-day month):
 * every queue message delivered twice; throttling on a share of the billing writes; the schedule
 * event twice and two more planners at once; the runtime killed (SIGKILL) after a random number of
 * accounts and started again. Plus: a failing account ends in the dead letters and the message log
 * and the others are billed.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { composeFromEnv, type AppDeps } from '../../shared/adapters/compose';
import { LocalWorkQueue } from '../../shared/adapters/dynamodb/local-work-queue';
import { parsePlan } from '../../shared/domain/billing/plan';
import { newPlanVersions, type PlanVersions } from '../../shared/domain/billing/plan-versions';
import { parseDay } from '../../shared/domain/billing/dates';
import { queueSpec } from '../../infra/queues-manifest';
import { freePort } from '../../infra/local/free-port';
import type { Run } from '../../shared/ports/runs';
import { ledgersOf, seedDueAccounts, SEED_PLAN } from '../support/billing-seed';
import { startOwnRuntime, type OwnRuntime } from '../support/own-runtime';
import { startRuntimeProcess, type RuntimeProcess } from '../support/runtime-process';

const N = Number(process.env.FAULT_ACCOUNTS ?? 500);
const RESELLER = 'faultres';
const TEMPLATE = 'tfault';
let own: OwnRuntime;
let plan: PlanVersions;
let clean: string[][];

async function putPlan(deps: AppDeps) {
  await deps.billing.putPlan(RESELLER, { templateId: TEMPLATE, versions: plan, version: 1, updatedAt: '2027-01-01T00:00:00.000Z' }, null).catch(() => undefined);
}

/** Dates as days relative to the run's day, so runs of different months compare line for line. */
function relative(ledgers: string[][], runDay: string): string[][] {
  const base = parseDay('runDay', runDay);
  const rel = (s: string) => s.replace(/\d{4}-\d{2}-\d{2}/g, (d) => `D${parseDay('d', d) - base}`);
  return ledgers.map((l) => l.map(rel));
}

async function finished(deps: AppDeps, day: string, timeoutMs = 240_000): Promise<Run> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const run = await deps.runs.get(`billing-${day}`);
    if (run?.finishedAt) return run;
    if (Date.now() > end) throw new Error(`run of ${day} not finished: ${JSON.stringify(run)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function scenario(deps: AppDeps, prefix: string, day: string, start: () => Promise<unknown>) {
  const { names, due } = await seedDueAccounts(deps.billing, { resellerId: RESELLER, templateId: TEMPLATE, plan, count: N, runDay: day, prefix });
  expect(due).toBeGreaterThan(N * 0.9);
  await start();
  const run = await finished(deps, day);
  return { run, due, ledgers: relative(await ledgersOf(deps.billing, RESELLER, names), day) };
}

beforeAll(async () => {
  own = await startOwnRuntime('billing-faults', undefined, { env: { LOCAL_QUEUE_VISIBILITY_SECONDS: '2' } });
  plan = newPlanVersions(parsePlan(SEED_PLAN));
  await putPlan(own.rt.deps);
}, 120_000);
afterAll(async () => {
  await own?.stop();
});

describe(`billing run under faults (${N} accounts each)`, () => {
  it('a clean run bills every account due that day once', async () => {
    const { run, due, ledgers } = await scenario(own.rt.deps, 'c', '2027-05-02', () => own.rt.deps.queue.send('billing-plan', [{ day: '2027-05-02' }]));
    expect(run).toMatchObject({ planned: due, done: due, failed: 0 });
    // Half finish their opening day (setup and recurrent), half renew (recurrent, usage window close);
    // an account holding only its free units has nothing to pay.
    expect(ledgers.filter((l) => l.length > 0).length).toBeGreaterThan(N * 0.9);
    clean = ledgers;
  }, 300_000);

  it('every queue message delivered twice: the same ledger', async () => {
    own.rt.queue.setDuplicateDelivery(true);
    try {
      const { run, due, ledgers } = await scenario(own.rt.deps, 'd', '2027-07-02', () => own.rt.deps.queue.send('billing-plan', [{ day: '2027-07-02' }]));
      expect(run).toMatchObject({ planned: due, done: due, failed: 0 });
      expect(ledgers).toEqual(clean);
    } finally {
      own.rt.queue.setDuplicateDelivery(false);
    }
  }, 300_000);

  it('DynamoDB throttling on a third of the billing writes: the same ledger', async () => {
    let throttled = 0;
    const db = own.rt.deps.db;
    // Installed once the accounts are seeded (the seeding's own writes are not the point), before the run starts.
    const injectThrottling = () =>
      db.middlewareStack.add(
        (next, context) => async (args) => {
          // The account's own transaction (its item's sort key BILLACCT#...), marshalled or not.
          const billingWrite = String(context.commandName).startsWith('TransactWrite') && JSON.stringify(args.input).includes('"BILLACCT#');
          if (billingWrite && Math.random() < 0.33) {
            throttled++;
            throw Object.assign(new Error('Throughput exceeds the current capacity of your table or index (injected)'), {
              name: 'ProvisionedThroughputExceededException',
              $metadata: {},
            });
          }
          return next(args);
        },
        { step: 'initialize', name: 'injectThrottling' },
      );
    try {
      const { run, due, ledgers } = await scenario(own.rt.deps, 't', '2027-10-02', () => {
        injectThrottling();
        return own.rt.deps.queue.send('billing-plan', [{ day: '2027-10-02' }]);
      });
      expect(throttled).toBeGreaterThan(N / 10);
      expect(run).toMatchObject({ planned: due, done: due, failed: 0 });
      expect(ledgers).toEqual(clean);
    } finally {
      db.middlewareStack.remove('injectThrottling');
    }
  }, 300_000);

  it('the schedule event twice and two more planners at once: the same ledger, each account counted once', async () => {
    const day = '2027-12-02';
    const { run, due, ledgers } = await scenario(own.rt.deps, 's', day, () =>
      Promise.all([
        own.rt.scheduler.runDay(day, 'billing-daily'),
        own.rt.scheduler.runDay(day, 'billing-daily'),
        own.rt.deps.queue.send('billing-plan', [{ day }, { day }]),
      ]),
    );
    expect(run).toMatchObject({ planned: due, done: due, failed: 0 });
    expect(ledgers).toEqual(clean);
    // One run for the day, whatever asked for it.
    expect((await own.rt.deps.runs.list({ kind: 'billing', day }, { limit: 10 })).items).toHaveLength(1);
  }, 300_000);

  it('a failing account ends in the dead letters and the message log; the others are billed', async () => {
    // A month no other scenario's accounts are due in (those of 2027-07-02 renew on 2027-08-02).
    const day = '2027-09-02';
    const deps = own.rt.deps;
    const { names, due } = await seedDueAccounts(deps.billing, { resellerId: RESELLER, templateId: TEMPLATE, plan, count: 30, runDay: day, prefix: 'f' });
    // One account on a template whose plan is gone: it can never be billed.
    const broken = await deps.billing.getAccount(RESELLER, names[7]!);
    await deps.billing.write({ account: { ...broken!, templateId: 'tgone', version: broken!.version + 1 }, expectedVersion: broken!.version, lines: [], messages: [] });
    await deps.queue.send('billing-plan', [{ day }]);
    const run = await finished(deps, day, 120_000);
    expect(run.planned).toBe(due);
    expect(run.failed).toBe(1);
    expect(run.done).toBe(run.planned - 1);
    // It moves to the dead letters when it would be received once more (as SQS does).
    for (let end = Date.now() + 60_000; ; ) {
      const dead = await own.rt.queue.deadLetters('billing', { limit: 10 });
      if (dead.items.some((m) => JSON.parse(m.body).accounts[0]?.username === names[7])) break;
      if (Date.now() > end) throw new Error('the failing account is not in the dead letters');
      await new Promise((r) => setTimeout(r, 200));
    }
    const log = await deps.messages.list(RESELLER, { type: 'error', limit: 10 });
    expect(log.items.map((m) => m.text)).toContainEqual(expect.stringContaining(`billing ${names[7]}: the run of ${day} could not bill`));
    const ledgers = await ledgersOf(deps.billing, RESELLER, names);
    expect(ledgers[7]).toEqual(ledgers[7]!.filter((l) => !l.includes(day)));
  }, 180_000);

  it('the runtime killed with SIGKILL in the middle of a run and started again: the same ledger', async () => {
    const day = '2028-05-02';
    const dataDir = mkdtempSync(join(tmpdir(), 'rp-billing-kill-'));
    const ports = { PORT: String(await freePort()), SES_PORT: String(await freePort()) };
    // The table lives in the shared DynamoDB Local (a database of this data dir's key), as on AWS
    // the table outlives a crashed function: what is killed is the runtime, every consumer in it.
    const dynamoUrl = inject('dynamoEndpoint');
    const env = {
      ...ports,
      LOCAL_DYNAMODB_URL: dynamoUrl,
      DATA_DIR: dataDir,
      OPERATOR_PASSWORD: 'billing-kill-operator-password',
      PASSWORD_HASH_COST_LOG2: '10',
      LOCAL_QUEUE_VISIBILITY_SECONDS: '2',
    };
    // Every runtime started (the killed one and its successor): their output explains a failure.
    const started: RuntimeProcess[] = [];
    const start = async () => {
      started.push(await startRuntimeProcess(env));
      return started.at(-1)!;
    };
    let child = await start();
    let step = 'seed';
    try {
      const creds = JSON.parse(readFileSync(join(dataDir, 'dynamodb-credentials.json'), 'utf8'));
      const deps = await composeFromEnv(
        { TABLE_NAME: 'reseller-panel', DYNAMODB_ENDPOINT: dynamoUrl, DYNAMODB_ACCESS_KEY_ID: creds.accessKeyId, DYNAMODB_SECRET_ACCESS_KEY: creds.secretAccessKey },
        { queue: (_e, db, table) => new LocalWorkQueue(db, table, { maxReceives: (q) => queueSpec(q).maxReceives }) },
      );
      await putPlan(deps);
      const { names, due } = await seedDueAccounts(deps.billing, { resellerId: RESELLER, templateId: TEMPLATE, plan, count: N, runDay: day, prefix: 'k' });
      step = 'send';
      await deps.queue.send('billing-plan', [{ day }]);
      step = 'wait';
      const killAfter = 25 + Math.floor(Math.random() * (N / 2 - 25));
      for (let end = Date.now() + 120_000; ; ) {
        const run = await deps.runs.get(`billing-${day}`);
        if ((run?.done ?? 0) >= killAfter) {
          // Killed in the middle of the run, not after it.
          expect(run!.finishedAt).toBeNull();
          break;
        }
        if (Date.now() > end) throw new Error(`run did not reach ${killAfter} accounts: ${JSON.stringify(run)}`);
        await new Promise((r) => setTimeout(r, 20));
      }
      step = 'kill';
      await child.kill();
      step = 'restart';
      child = await start();
      step = 'finish';
      const run = await finished(deps, day);
      expect(run).toMatchObject({ planned: due, done: due, failed: 0 });
      expect(relative(await ledgersOf(deps.billing, RESELLER, names), day)).toEqual(clean);
    } catch (e) {
      throw new Error(`step ${step}: ${(e as Error).stack}\n--- runtime output (last 3000 chars) ---\n${started.map((r) => r.output()).join('\n').slice(-3000)}`);
    } finally {
      await child.kill().catch(() => undefined);
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 400_000);
});

