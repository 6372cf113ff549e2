import { Logger } from '@aws-lambda-powertools/logger';
import { appDeps } from '../deps';
import { runBillingDay } from '../../shared/app/billing/daily';
import { jobDay } from './job-event';

const logger = new Logger({ serviceName: 'reseller-panel-billing-daily' });

/** EventBridge Scheduler (or the local scheduler) calls this once a day, just after midnight UTC. */
export async function handler(event: Record<string, unknown>) {
  const d = await appDeps();
  const day = jobDay(event, d.clock);
  const result = await runBillingDay(d, day);
  logger.info('billing day done', { ...result, failed: result.failed.length });
  if (result.failed.length) logger.error('billing accounts failed', { failed: result.failed });
  return result;
}
