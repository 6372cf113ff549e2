import { appDeps } from '../deps';
import { sqsQueue } from '../../shared/adapters/sqs/sqs-work-queue';
import { handleBatch, type BatchMessage } from '../../shared/app/billing/run';
import { queueSpec } from '../../infra/queues-manifest';
import { sqsConsumer } from './sqs-consumer';

const maxReceives = queueSpec('billing').maxReceives;

/** Consumer of billing: advances a batch of accounts to their due day, one transaction each. */
export const handler = sqsConsumer('billing-worker', async (body, delivery) => {
  const deps = await appDeps({ queue: sqsQueue });
  await handleBatch(deps, body as BatchMessage, { receiveCount: delivery.receiveCount, maxReceives });
});
