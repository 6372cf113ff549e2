import { appDeps } from '../deps';
import { sqsQueue } from '../../shared/adapters/sqs/sqs-work-queue';
import { handlePlan, type PlanMessage } from '../../shared/app/billing/run';
import { sqsConsumer } from './sqs-consumer';

/**
 * Consumer of billing-plan: `{ "day": "YYYY-MM-DD" }` (from the daily schedule, or from the usage
 * collection once the day's usage is complete) records the run billing-<day> and plans it part by
 * part; a part's page of due accounts becomes billing batches (shared/app/billing/run.ts).
 */
export const handler = sqsConsumer('billing-planner', async (body) => {
  const deps = await appDeps({ queue: sqsQueue });
  await handlePlan(deps, body as PlanMessage);
});
