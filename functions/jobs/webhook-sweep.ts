import { Logger } from '@aws-lambda-powertools/logger';
import { sqsQueue } from '../../shared/adapters/sqs/sqs-work-queue';
import { sweepWebhookEvents } from '../../shared/app/webhooks/deliver';
import { appDeps } from '../deps';

const logger = new Logger({ serviceName: 'reseller-panel-webhook-sweep' });

/**
 * EventBridge Scheduler calls this every minute (the local runtime on its rate-job interval): events
 * committed but not announced to the fan-out (the writer died or could not send) are fanned out now.
 */
export async function handler(_event?: Record<string, unknown>) {
  const swept = await sweepWebhookEvents(await appDeps({ queue: sqsQueue }));
  if (swept) logger.warn('webhook events fanned out by the sweeper', { swept });
  return { swept };
}
