/**
 * WorkQueue: background work with at-least-once delivery. Two adapters behind this one port:
 * Amazon SQS on AWS (standard queues, a dead-letter queue after `maxReceives`, Lambda event source
 * mappings with partial batch responses and a maximum concurrency) and, in the embedded runtime, a
 * durable queue kept in DynamoDB Local with the same semantics (visibility timeout, redelivery,
 * receive count, dead letters), surviving a `kill -9` of `npm start`.
 *
 * A consumer is an ordinary Lambda SQS handler (`SQSEvent` in, `SQSBatchResponse` out): on AWS
 * the event source mapping calls it, locally the queue's poller builds the same event and calls
 * the same function. So a consumer must be idempotent: any message may arrive twice, or after a
 * crash of the previous attempt.
 *
 * The queue names and their settings have one home: the queue catalogue next to the functions
 * manifest (infra/queues-manifest.ts), which the CDK stack and the local runtime both read.
 */
export interface WorkQueue {
  /**
   * Enqueues one message per body (JSON-serialisable, at most 256 KB each). Sent in batches of
   * ten on SQS; resolves once every message is stored, throws if any could not be.
   */
  send(queue: string, bodies: readonly unknown[], opts?: { delaySeconds?: number }): Promise<void>;
}
