/**
 * The daily billing run over BENCH_BILLING_ACCOUNTS (10,000) accounts due that day, on DynamoDB Local:
 * the planner and the workers of shared/app/billing/run.ts with an in-process queue (what the
 * queue itself costs is SQS's on AWS, not DynamoDB's), four batches at a time as the local poller.
 *
 * Reported: accounts per second, as a ratio to the raw TransactWriteItems rate of the same DynamoDB
 * Local measured right after in the same run (transactions of the same number of items and bytes,
 * as many in flight), DynamoDB round trips per account (counted by the client middleware), and the
 * cost of running the same day again: a repeated start (adds nothing) and a resume (every account
 * read again, none written).
 */
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { AppDeps } from '../shared/adapters/compose';
import { newPlanVersions } from '../shared/domain/billing/plan-versions';
import { parsePlan } from '../shared/domain/billing/plan';
import { ACCOUNTS_PER_MESSAGE } from '../shared/app/billing/run';
import { runBillingDayInline } from '../shared/app/billing/run-inline';
import { seedDueAccounts, SEED_PLAN } from '../test/support/billing-seed';
import { round, type BenchResult } from './lib';

const BATCHES_AT_ONCE = 4;

export async function runBillingRunBench(ctx: { deps: AppDeps }): Promise<BenchResult[]> {
  const { deps } = ctx;
  const N = Number(process.env.BENCH_BILLING_ACCOUNTS ?? 10_000);
  const day = '2027-05-02';
  const resellerId = 'benchbill';
  const plan = newPlanVersions(parsePlan(SEED_PLAN));
  await deps.billing.putPlan(resellerId, { templateId: 'tbench', versions: plan, version: 1, updatedAt: '2027-01-01T00:00:00.000Z' }, null);
  const seedStart = performance.now();
  await seedDueAccounts(deps.billing, { resellerId, templateId: 'tbench', plan, count: N, runDay: day, prefix: 'b', concurrency: 32 });
  const seedMs = performance.now() - seedStart;

  // The size of the billing transactions, to give the raw baseline the same.
  const sizes = { txns: 0, items: 0, bytes: 0 };
  deps.db.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as { TransactItems?: unknown[] };
      const json = JSON.stringify(input);
      if (String(context.commandName).startsWith('TransactWrite') && input.TransactItems && json.includes('"BILLACCT#')) {
        sizes.txns++;
        sizes.items += input.TransactItems.length;
        sizes.bytes += json.length;
      }
      return next(args);
    },
    { step: 'initialize', name: 'benchBillingSizes' },
  );

  const trips = () => ({ count: deps.roundTrips.count, by: { ...deps.roundTrips.byCommand } });
  const before = trips();
  let t = performance.now();
  const run = await runBillingDayInline(deps, day, { concurrency: BATCHES_AT_ONCE });
  const runMs = performance.now() - t;
  const after = trips();
  const billingTxns = sizes.txns;
  const done = run?.done ?? 0;
  const perAccount = (name?: string) =>
    round((name ? (after.by[name] ?? 0) - (before.by[name] ?? 0) : after.count - before.count) / Math.max(1, done), 3);

  // Same day again: a repeated start (the schedule event twice), then a resume of every part.
  let r0 = deps.roundTrips.count;
  t = performance.now();
  await runBillingDayInline(deps, day, { concurrency: BATCHES_AT_ONCE });
  const repeatMs = performance.now() - t;
  const repeatTrips = deps.roundTrips.count - r0;
  r0 = deps.roundTrips.count;
  const w0 = sizes.txns;
  t = performance.now();
  const resumed = await runBillingDayInline(deps, day, { concurrency: BATCHES_AT_ONCE, resume: true });
  const resumeMs = performance.now() - t;
  const resumeTrips = deps.roundTrips.count - r0;
  const resumeBillingWrites = sizes.txns - w0;
  deps.db.middlewareStack.remove('benchBillingSizes');

  // Raw baseline: transactions of the same item count and size, as many in flight as the run had.
  const itemsPer = Math.max(1, Math.round(sizes.items / Math.max(1, sizes.txns)));
  const bytesPerItem = Math.max(50, Math.round(sizes.bytes / Math.max(1, sizes.items)) - 60);
  void billingTxns;
  const payload = 'x'.repeat(bytesPerItem);
  const M = Math.min(N, 3000);
  const inFlight = BATCHES_AT_ONCE * ACCOUNTS_PER_MESSAGE;
  let next = 0;
  t = performance.now();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      for (let i = next++; i < M; i = next++) {
        await deps.db.send(
          new TransactWriteCommand({
            TransactItems: Array.from({ length: itemsPer }, (_, k) => ({
              Put: { TableName: deps.tableName, Item: { PK: `BENCHTX#${i}`, SK: `I#${k}`, payload }, ConditionExpression: 'attribute_not_exists(PK)' },
            })),
          }),
        );
      }
    }),
  );
  const rawMs = performance.now() - t;
  const rawRate = (M * 1000) / rawMs;
  const accountsPerS = (done * 1000) / runMs;

  return [
    {
      name: `billing run: ${N} accounts due (planner + workers)`,
      figures: {
        accounts: N,
        done,
        failed: run?.failed ?? -1,
        run_s: round(runMs / 1000, 1),
        accounts_per_s: round(accountsPerS, 1),
        raw_transact_per_s: round(rawRate, 1),
        ratio_to_raw_transact: round(accountsPerS / rawRate, 3),
        items_per_transaction: itemsPer,
        bytes_per_transaction: Math.round(sizes.bytes / Math.max(1, sizes.txns)),
        round_trips_per_account: perAccount(),
        transact_writes_per_account: perAccount('TransactWriteItems'),
        batch_gets_per_account: perAccount('BatchGetItem'),
        queries_total: (after.by.Query ?? 0) - (before.by.Query ?? 0),
        // Every command, per account: the rest beyond the account's transaction and the batch reads are
        // the embedded runtime's own (its local queue lives in DynamoDB Local: on AWS those are SQS calls).
        by_command_per_account: Object.keys(after.by)
          .map((c) => [c, perAccount(c)] as const)
          .filter(([, v]) => v > 0)
          .map(([c, v]) => `${c} ${v}`)
          .join(', '),
        seed_s: round(seedMs / 1000, 1),
      },
    },
    {
      name: 'billing run: the same day again',
      figures: {
        repeated_start_ms: round(repeatMs, 1),
        repeated_start_round_trips: repeatTrips,
        resume_s: round(resumeMs / 1000, 1),
        resume_round_trips_per_account: round(resumeTrips / N, 3),
        resume_billing_writes: resumeBillingWrites,
        resume_done: resumed?.done ?? -1,
      },
    },
  ];
}
