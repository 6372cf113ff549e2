import { Logger } from '@aws-lambda-powertools/logger';
import { injectedDeps } from '../deps';
import { composeUsageJob } from '../../shared/adapters/compose-usage-job';
import { provisionerFromEnv } from '../../shared/adapters/provisioner-from-env';
import { runUsageDay, usageDayFor } from '../../shared/app/stats/usage-daily';
import type { Provisioner } from '../../shared/ports/provisioner';
import { jobDay } from './job-event';

const logger = new Logger({ serviceName: 'reseller-panel-usage-daily' });
let provisioner: Provisioner | undefined;
let jobDeps: ReturnType<typeof composeUsageJob> | undefined;

/**
 * EventBridge Scheduler (or the local scheduler) calls this once a day at 00:05 UTC, before
 * billing-daily: it reports the day before the scheduled day (complete logs) from every registered
 * server, stores the figures for Stats and feeds them to billing (docs/billing.md "Usage feed").
 * The Provisioner is the process's own (the embedded runtime's local agent) or built here from the
 * environment (SSM on AWS), so the SSM client stays out of the API bundle.
 */
export async function handler(event: Record<string, unknown>) {
  const local = await injectedDeps();
  const d = local ?? (jobDeps ??= composeUsageJob(process.env));
  provisioner ??= local?.provisioner ?? provisionerFromEnv(process.env, d.servers);
  const day = usageDayFor(jobDay(event, d.clock));
  const result = await runUsageDay({ ...d, provisioner }, day);
  logger.info('usage day done', {
    day,
    servers: result.servers.length,
    stored: result.stored,
    billing: { ...result.billing, failed: result.billing.failed.length },
  });
  const failedServers = result.servers.filter((s) => !s.ok);
  if (failedServers.length) logger.error('usage reports failed', { servers: failedServers });
  if (result.billing.failed.length) logger.error('usage billing failed', { failed: result.billing.failed });
  if (result.unknownUsers.length) logger.warn('reported users without an owner', { users: result.unknownUsers.slice(0, 50) });
  return result;
}
