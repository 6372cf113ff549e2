import * as z from 'zod';
import { keyCipherFromEnv } from '../../shared/adapters/kms/key-cipher-from-env';
import { sqsQueue } from '../../shared/adapters/sqs/sqs-work-queue';
import { processAttempt } from '../../shared/app/webhooks/deliver';
import { appDeps } from '../deps';
import { webhookSenderFromEnv } from '../../shared/adapters/webhook-http';
import { sqsConsumer } from './sqs-consumer';

const deliverWork = z.strictObject({
  resellerId: z.string().min(1),
  webhookId: z.string().min(1),
  eventId: z.string().min(1),
  attempt: z.number().int().min(1),
  notBefore: z.number().optional(),
});

/** Consumer of the webhook-deliver queue: one signed POST per message; its retry is a delayed message. */
export const handler = sqsConsumer('webhook-deliver', async (body) => {
  await processAttempt(await appDeps({ keyCipher: keyCipherFromEnv, queue: sqsQueue, webhookSender: webhookSenderFromEnv }), deliverWork.parse(body));
});
