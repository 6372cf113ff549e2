import { appDeps } from '../deps';
import { sqsQueue } from '../../shared/adapters/sqs/sqs-work-queue';
import { handleFanout, type FanoutMessage } from '../../shared/app/provisioning/fanout';
import { sqsConsumer } from './sqs-consumer';

/**
 * Consumer of the provisioning-fanout queue: plans a server push or an index-page push (lists the
 * users, enqueues them a hundred at a time) and marks each user pending for the provisioning worker.
 */
export const handler = sqsConsumer('provisioning-fanout', async (body) => {
  const deps = await appDeps({ queue: sqsQueue });
  await handleFanout(deps, body as FanoutMessage);
});
