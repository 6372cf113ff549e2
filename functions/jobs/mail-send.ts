import * as z from 'zod';
import { sqsQueue } from '../../shared/adapters/sqs/sqs-work-queue';
import { appDeps } from '../deps';
import { sqsConsumer } from './sqs-consumer';
import { mailerFromEnv } from '../../shared/adapters/ses/mailer-from-env';
import { keyCipherFromEnv } from '../../shared/adapters/kms/key-cipher-from-env';
import { processSendWork } from '../../shared/app/mail/send';

const sendWork = z.strictObject({
  resellerId: z.string().min(1),
  ids: z.array(z.string().min(1)).min(1).max(50),
  enqueuedAt: z.number(),
});

/** Consumer of the mail-send queue (infra/queues-manifest.ts): claims, paces, sends, records. */
export const handler = sqsConsumer('mail-send', async (body) => {
  const deps = await appDeps({ mailer: mailerFromEnv, keyCipher: keyCipherFromEnv, queue: sqsQueue });
  await processSendWork(deps, sendWork.parse(body));
});
