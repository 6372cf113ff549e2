import { appDeps } from '../deps';
import { sqsQueue } from '../../shared/adapters/sqs/sqs-work-queue';
import { requestBillingDay } from '../../shared/app/billing/run';
import { jobDay } from './job-event';

/**
 * EventBridge Scheduler (or the local scheduler) calls this once a day, just after midnight UTC: it
 * only asks for the day's billing run on billing-plan (the planner and the workers do the work).
 * Answers the run's id, so the local scheduler waits for the run before the next day.
 */
export async function handler(event: Record<string, unknown>) {
  const d = await appDeps({ queue: sqsQueue });
  return requestBillingDay(d, jobDay(event, d.clock));
}
