/**
 * The daily billing schedule's request (requestBillingDay) on DynamoDB Local: a day nothing is due
 * asks for nothing; a due day asks billing-plan for it; a day whose run usage already had planned
 * asks for nothing more and reads no due-shard.
 */
import { randomInt } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { composeFromEnv } from '../../shared/adapters/compose';
import { parsePlan } from '../../shared/domain/billing/plan';
import { newPlanVersions } from '../../shared/domain/billing/plan-versions';
import { billingRunId, PLAN_QUEUE, requestBillingDay } from '../../shared/app/billing/run';
import type { WorkQueue } from '../../shared/ports/work-queue';
import { seedDueAccounts, SEED_PLAN, uniqueBillingDay } from '../support/billing-seed';
import { localDbEnv } from '../support/local-db';

/** Years of this file's own (see uniqueBillingDay). */
const freshDay = () => uniqueBillingDay(2060, 2100);

async function setup() {
  const deps = await composeFromEnv(localDbEnv());
  const sent: { queue: string; bodies: unknown[] }[] = [];
  const queue: WorkQueue = { send: async (q, bodies) => void sent.push({ queue: q, bodies: [...bodies] }) };
  let queries = 0;
  deps.db.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === 'QueryCommand') queries++;
      return next(args);
    },
    { step: 'initialize', name: 'countQueries' },
  );
  return { deps: { ...deps, queue }, sent, queries: () => queries };
}

describe('the daily billing request', () => {
  it('a day with nothing due asks for nothing', async () => {
    const { deps, sent } = await setup();
    expect(await requestBillingDay(deps, freshDay())).not.toHaveProperty('runId');
    expect(sent).toEqual([]);
  });

  it('a due day asks billing-plan for the day; once its run is planned, a repeat reads one item and asks for nothing', async () => {
    const { deps, sent, queries } = await setup();
    const day = freshDay();
    const resellerId = `rreq${randomInt(1e9)}`;
    await seedDueAccounts(deps.billing, { resellerId, templateId: 't1', plan: newPlanVersions(parsePlan(SEED_PLAN)), count: 4, runDay: day, prefix: 'q' });
    expect(await requestBillingDay(deps, day)).toEqual({ day, runId: billingRunId(day) });
    expect(sent).toEqual([{ queue: PLAN_QUEUE, bodies: [{ day }] }]);

    // As the planner does when usage's last server asks for the day first.
    await deps.runs.start({ id: billingRunId(day), kind: 'billing', day, planParts: 1, startedAt: `${day}T00:10:00.000Z` });
    await deps.runs.setPlanned(billingRunId(day), 'head', 4);
    const before = queries();
    expect(await requestBillingDay(deps, day)).toEqual({ day, runId: billingRunId(day) });
    expect(queries() - before).toBe(0);
    expect(sent).toHaveLength(1);
  });

  it('a run started but not planned yet (a planner that died) is asked for again', async () => {
    const { deps, sent } = await setup();
    const day = freshDay();
    await seedDueAccounts(deps.billing, { resellerId: `rreq${randomInt(1e9)}`, templateId: 't1', plan: newPlanVersions(parsePlan(SEED_PLAN)), count: 2, runDay: day, prefix: 'p' });
    await deps.runs.start({ id: billingRunId(day), kind: 'billing', day, planParts: 2, startedAt: `${day}T00:10:00.000Z` });
    await deps.runs.setPlanned(billingRunId(day), 'head', 2);
    await requestBillingDay(deps, day);
    expect(sent).toEqual([{ queue: PLAN_QUEUE, bodies: [{ day }] }]);
  });
});
