import middy from '@middy/core';
import sqsPartialBatchFailure from '@middy/sqs-partial-batch-failure';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { Logger } from '@aws-lambda-powertools/logger';

/** What a consumer needs of the record besides its body: SQS's count of receives (1 the first time). */
export interface Delivery {
  messageId: string;
  receiveCount: number;
  record: SQSRecord;
}

/**
 * A work-queue consumer: `process` runs once per message (all messages of the batch at once) and
 * the batch answers a partial batch response, so only the messages that threw come back (and,
 * after the queue's maxReceives, go to its dead-letter queue). The same handler runs under the SQS
 * event source mapping on AWS and under the local poller (infra/local/queue-poller.ts).
 */
export function sqsConsumer(
  name: string,
  process: (body: unknown, delivery: Delivery) => Promise<void>,
): (event: SQSEvent, context?: unknown) => Promise<SQSBatchResponse> {
  const logger = new Logger({ serviceName: `reseller-panel-${name}` });
  const inner = async (event: SQSEvent) =>
    Promise.allSettled(
      event.Records.map((record) =>
        process(JSON.parse(record.body), {
          messageId: record.messageId,
          receiveCount: Number(record.attributes?.ApproximateReceiveCount ?? '1'),
          record,
        }),
      ),
    );
  const handler = middy(inner).use(
    sqsPartialBatchFailure({
      logger: (reason: unknown, record: SQSRecord) =>
        logger.error('message failed; it will be delivered again or go to the dead letters', {
          messageId: record.messageId,
          receiveCount: record.attributes?.ApproximateReceiveCount,
          error: reason instanceof Error ? reason.message : String(reason),
        }),
    }),
  );
  return (event, context) => handler(event, (context ?? {}) as never) as unknown as Promise<SQSBatchResponse>;
}
