import * as z from 'zod';
import { sqsQueue } from '../../shared/adapters/sqs/sqs-work-queue';
import { processFanout } from '../../shared/app/webhooks/deliver';
import { appDeps } from '../deps';
import { sqsConsumer } from './sqs-consumer';

const fanoutWork = z.strictObject({ resellerId: z.string().min(1), eventId: z.string().min(1) });

/** Consumer of the webhook-fanout queue: an event becomes a pending delivery per subscribed endpoint and their first attempts. */
export const handler = sqsConsumer('webhook-fanout', async (body) => {
  await processFanout(await appDeps({ queue: sqsQueue }), fanoutWork.parse(body));
});
