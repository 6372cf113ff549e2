import { Logger } from '@aws-lambda-powertools/logger';
import { injectedDeps } from '../deps';
import { composeUsageJob } from '../../shared/adapters/compose-usage-job';
import { startUsageRun } from '../../shared/app/stats/usage-collect';
import { jobDay } from './job-event';

const logger = new Logger({ serviceName: 'reseller-panel-usage-daily' });
let jobDeps: ReturnType<typeof composeUsageJob> | undefined;

/**
 * EventBridge Scheduler (or the local scheduler) calls this once a day at 00:05 UTC: it starts the
 * usage run of the day (`usage-<day>`, collecting the day before) and enqueues its planning message
 * on `usage-collect`; the collector (functions/jobs/usage-collector.ts) asks each server, and the
 * run's last server starts billing (docs/billing.md "Usage feed"). A repeated event finds the run.
 * Answers the run id (the local scheduler waits for the run before the next job of the day).
 */
export async function handler(event: Record<string, unknown>) {
  const local = await injectedDeps();
  const d = local ?? (jobDeps ??= composeUsageJob(process.env));
  const started = await startUsageRun(d, jobDay(event, d.clock));
  logger.info(started.created ? 'usage run started' : 'usage run already there', started);
  return started;
}
