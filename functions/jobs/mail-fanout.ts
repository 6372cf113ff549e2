import * as z from 'zod';
import { sqsQueue } from '../../shared/adapters/sqs/sqs-work-queue';
import { appDeps } from '../deps';
import { sqsConsumer } from './sqs-consumer';
import { processFanoutWork } from '../../shared/app/mail/circulars';

const fanoutWork = z.strictObject({
  resellerId: z.string().min(1),
  circularId: z.string().min(1),
  n: z.number().int().min(0),
  cursor: z.string().nullable(),
  enqueuedAt: z.number(),
});

/** Consumer of the mail-fanout queue: one page of users of a circular becomes recipients and send work. */
export const handler = sqsConsumer('mail-fanout', async (body) => {
  await processFanoutWork(await appDeps({ queue: sqsQueue }), fanoutWork.parse(body));
});
