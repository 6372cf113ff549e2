import * as z from 'zod';
import { Logger } from '@aws-lambda-powertools/logger';
import { injectedDeps } from '../deps';
import { queueSpec } from '../../infra/queues-manifest';
import { composeUsageJob } from '../../shared/adapters/compose-usage-job';
import { provisionerFromEnv } from '../../shared/adapters/provisioner-from-env';
import { handleUsageMessage, USAGE_QUEUE, type UsageMessage } from '../../shared/app/stats/usage-collect';
import type { Provisioner } from '../../shared/ports/provisioner';
import { sqsConsumer } from './sqs-consumer';

const logger = new Logger({ serviceName: 'reseller-panel-usage-collector' });
/** Built once on AWS; the local runtime's own (its data dir's agent) is taken from its deps on every call. */
let awsProvisioner: Provisioner | undefined;
let jobDeps: ReturnType<typeof composeUsageJob> | undefined;
const { maxReceives } = queueSpec(USAGE_QUEUE);

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);
const runId = z.string().min(1).max(120);
const message = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('plan'), runId, day, cursor: z.string().nullable(), planned: z.number().int().min(0) }),
  z.strictObject({ type: z.literal('collect'), runId, day, serverId: z.string().min(1).max(64) }),
]);

/** Metric (namespace ResellerPanel) of servers whose usage of a day could not be collected; alarmed (infra/metric-alarms.ts). */
export const FAILED_METRIC = 'UsageServersFailed';

/**
 * Consumer of the usage-collect queue (infra/queues-manifest.ts): plans a page of servers, or
 * collects one server's usage of a day (one SSM command) and stores it in batches. A server still
 * failing on the queue's last receive is counted failed in the run, written to the operator's
 * message log, logged as an error and counted in the metric; billing goes on without it.
 */
export const handler = sqsConsumer('usage-collector', async (body, delivery) => {
  const local = await injectedDeps();
  const d = local ?? (jobDeps ??= composeUsageJob(process.env));
  const provisioner = local?.provisioner ?? (awsProvisioner ??= provisionerFromEnv(process.env, d.servers));
  const m = message.parse(body) as UsageMessage;
  const out = await handleUsageMessage({ ...d, provisioner }, m, { receiveCount: delivery.receiveCount, maxReceives });
  if (out.type === 'failed') {
    logger.error('usage of a server could not be collected; counted failed, billing goes on without it', { ...m, error: out.error, receiveCount: delivery.receiveCount });
    if (out.counted) d.metrics.publish(FAILED_METRIC, 1);
  } else if (out.type === 'collected') {
    logger.info('usage collected', { ...m, users: out.users, transactions: out.transactions });
    if (out.unknownUsers.length) logger.warn('reported users without an owner', { serverId: out.serverId, users: out.unknownUsers.slice(0, 50) });
  }
  if (out.type !== 'planned' && out.billingStarted) logger.info('usage run complete: billing started', { runId: m.runId });
});
