/**
 * The 03:00 billing check and its AccountsNotBilled metric (checkBilling, functions/jobs/billing-check.ts)
 * on DynamoDB Local: due accounts no run has planned count; a run that billed them all leaves 0;
 * an account that failed on its last receive still counts.
 */
import { randomInt } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { composeFromEnv } from '../../shared/adapters/compose';
import { parsePlan } from '../../shared/domain/billing/plan';
import { newPlanVersions } from '../../shared/domain/billing/plan-versions';
import { BILLING_QUEUE, checkBilling, handleBatch, handlePlan, type BatchMessage } from '../../shared/app/billing/run';
import type { WorkQueue } from '../../shared/ports/work-queue';
import { seedDueAccounts, SEED_PLAN, uniqueBillingDay } from '../support/billing-seed';
import { localDbEnv } from '../support/local-db';
import { queueSpec } from '../../infra/queues-manifest';

/** Years of this file's own (see uniqueBillingDay). */
const freshDay = () => uniqueBillingDay(2100, 2200);
const MAX_RECEIVES = queueSpec(BILLING_QUEUE).maxReceives;

async function setup() {
  const base = await composeFromEnv(localDbEnv());
  const batches: BatchMessage[] = [];
  const queue: WorkQueue = { send: async (q, bodies) => void (q === BILLING_QUEUE && batches.push(...(bodies as BatchMessage[]))) };
  const published: { name: string; value: number; dimensions?: Record<string, string> }[] = [];
  const metrics = { publish: (name: string, value: number, opts?: { dimensions?: Record<string, string> }) => void published.push({ name, value, dimensions: opts?.dimensions }) };
  const deps = { ...base, queue, metrics };
  const resellerId = `rchk${randomInt(1e9)}`;
  await deps.billing.putPlan(resellerId, { templateId: 't1', versions: newPlanVersions(parsePlan(SEED_PLAN)), version: 1, updatedAt: '2100-01-01T00:00:00.000Z' }, null);
  /** Delivers every batch the planner and the workers sent, each on its last receive (as the queue would after retries). */
  const drain = async () => {
    for (let m = batches.shift(); m; m = batches.shift()) await handleBatch(deps, m, { receiveCount: MAX_RECEIVES, maxReceives: MAX_RECEIVES }).catch(() => undefined);
  };
  return { deps, resellerId, published, drain, batches };
}

const notBilledMetric = (published: { name: string; value: number; dimensions?: Record<string, string> }[]) =>
  published.filter((p) => p.name === 'AccountsNotBilled' && p.dimensions?.Source === 'check').map((p) => p.value);

describe('the billing check', () => {
  it('counts the due accounts of a day no run planned, and nothing once a run billed them all', async () => {
    const { deps, resellerId, published, drain } = await setup();
    const day = freshDay();
    const { due } = await seedDueAccounts(deps.billing, { resellerId, templateId: 't1', plan: newPlanVersions(parsePlan(SEED_PLAN)), count: 6, runDay: day, prefix: 'c' });
    expect(due).toBeGreaterThan(0);

    const before = await checkBilling(deps, day);
    expect(before).toMatchObject({ notBilled: due, today: { planned: 0, unplannedDue: due, finished: false } });

    await handlePlan(deps, { day });
    await drain();
    const after = await checkBilling(deps, day);
    expect(after).toMatchObject({ notBilled: 0, today: { planned: due, done: due, failed: 0, unplannedDue: 0, finished: true } });
    expect(notBilledMetric(published)).toEqual([due, 0]);
  });

  it('an account that could not be billed on its last receive is still not billed', async () => {
    const { deps, resellerId, published, drain, batches } = await setup();
    const day = freshDay();
    const { due } = await seedDueAccounts(deps.billing, { resellerId, templateId: 't1', plan: newPlanVersions(parsePlan(SEED_PLAN)), count: 6, runDay: day, prefix: 'f' });
    await handlePlan(deps, { day });
    // One planned account's template loses its plan before the batch is taken: it can never be billed.
    const broken = (await deps.billing.getAccount(resellerId, batches[0]!.accounts[0]!.username))!;
    await deps.billing.write({ account: { ...broken, templateId: 'tgone', version: broken.version + 1 }, expectedVersion: broken.version, lines: [], messages: [] });
    await drain();
    const check = await checkBilling(deps, day);
    expect(check).toMatchObject({ notBilled: 1, today: { planned: due, done: due - 1, failed: 1, finished: true } });
    expect(notBilledMetric(published)).toEqual([1]);
  });
});
