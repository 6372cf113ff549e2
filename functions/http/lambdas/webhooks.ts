import { keyCipherFromEnv } from '../../../shared/adapters/kms/key-cipher-from-env';
import { sqsQueue } from '../../../shared/adapters/sqs/sqs-work-queue';
import { serveGroup } from '../lambda-handler';
import { webhookSenderFromEnv } from '../../../shared/adapters/webhook-http';
import { webhookRoutes } from '../routes/webhooks';

/** Webhook endpoints: KMS (each endpoint's signing secret is stored encrypted), the deliver queue (replays). */
export const { handler, routes } = serveGroup('webhooks', [webhookRoutes], { keyCipher: keyCipherFromEnv, queue: sqsQueue, webhookSender: webhookSenderFromEnv });
