/**
 * The work queues of the product, as data (beside infra/functions-manifest.ts). The CDK construct
 * (infra/stacks/work-queues.ts) builds, per entry, a standard SQS queue with its dead-letter queue,
 * the event source mapping to the consumer function and the alarms; the embedded runtime
 * (infra/local/queue-poller.ts) runs the same consumer on the durable local queue with the same
 * settings. Producers name a queue by `name` (WorkQueue.send) and list it in their function's `sends`.
 *
 * Adding a queue: an entry here, a consumer function in the functions manifest (no schedule) whose
 * handler is wrapped with `sqsConsumer` (functions/jobs/sqs-consumer.ts), and the queue's name in
 * the `sends` of every function that enqueues to it.
 */
export interface QueueSpec {
  /** Short kebab-case name: the WorkQueue's queue name, construct ids and alarm names derive from it. */
  name: string;
  /** The functions manifest entry that consumes it. */
  consumer: string;
  /** Messages per invocation of the consumer (SQS: 1..10 without a batching window). */
  batchSize: number;
  /**
   * How long a received message stays invisible before it is delivered again. At least the
   * consumer's timeout (the stack checks; AWS advises six times it when Lambda retries throttles).
   */
  visibilityTimeoutSeconds: number;
  /** Receives before a message goes to the dead-letter queue (SQS maxReceiveCount). */
  maxReceives: number;
  /** Concurrent invocations of the consumer for this queue (event source mapping maximum concurrency, 2..1000). */
  maxConcurrency: number;
  /** Alarm when the oldest message has waited longer than this. */
  maxAgeSeconds: number;
  description: string;
}

export const QUEUES: readonly QueueSpec[] = [
  // The daily billing run (docs/background-work.md "Billing run"). `billing-plan` takes `{ "day" }`
  // (from the daily schedule, and from the usage collection once a day's usage is complete) and then
  // one message per due-shard page; `billing` takes batches of accounts due that day.
  {
    name: 'billing-plan',
    consumer: 'billing-planner',
    batchSize: 4,
    visibilityTimeoutSeconds: 360,
    maxReceives: 5,
    maxConcurrency: 4,
    maxAgeSeconds: 900,
    description: "Plan a billing day: record the run billing-<day>, list the day's due accounts shard by shard (a page per message) and enqueue them in batches",
  },
  {
    name: 'billing',
    consumer: 'billing-worker',
    batchSize: 4,
    visibilityTimeoutSeconds: 720,
    maxReceives: 4,
    maxConcurrency: 50,
    maxAgeSeconds: 1800,
    description: 'Advance a batch of billing accounts to their due day: one transaction per account, counted once in the run',
  },
  // The daily usage collection (docs/billing.md "Usage feed", docs/scale.md "Usage collection"):
  // planning messages (a page of up to 1,000 servers each) and one collect message per server. One
  // message per invocation: a report is one SSM command that can take minutes on a big server. A
  // server still failing on its last receive is counted failed in the run (never a silent dead letter).
  {
    name: 'usage-collect',
    consumer: 'usage-collector',
    batchSize: 1,
    visibilityTimeoutSeconds: 360,
    maxReceives: 3,
    // SSM Run Command: SendCommand and GetCommandInvocation are rate-limited per account and
    // region; 20 reports at once polling every 2 s stays well inside (docs/scale.md).
    maxConcurrency: 20,
    maxAgeSeconds: 1800,
    description: "A day's usage: plan a page of servers, or collect one server's report (one SSM command) and store its users' figures in batches",
  },
  {
    name: 'provisioning-fanout',
    consumer: 'provisioning-fanout',
    batchSize: 5,
    visibilityTimeoutSeconds: 360,
    maxReceives: 5,
    maxConcurrency: 5,
    maxAgeSeconds: 900,
    description: 'Server re-pushes and index-page changes: plan the users, then mark them pending a hundred at a time',
  },
  // Mail (docs/mail.md). Fan-out pages are not paced; sends are, to MAIL_SEND_RATE over the
  // mail-send consumer's maximum concurrency (each of its instances paces itself to its share).
  {
    name: 'mail-fanout',
    consumer: 'mail-fanout',
    batchSize: 2,
    visibilityTimeoutSeconds: 120,
    // A page enqueued before its circular was stored comes back until the circular is there.
    maxReceives: 10,
    maxConcurrency: 2,
    maxAgeSeconds: 900,
    description: "A circular's fan-out: one page of users becomes recipients and send work, and enqueues the next page",
  },
  {
    name: 'mail-send',
    consumer: 'mail-send',
    batchSize: 5,
    visibilityTimeoutSeconds: 360,
    maxReceives: 10,
    maxConcurrency: 2,
    // Sends wait their turn at the SES rate (14/s: 50,000 recipients take an hour); retries and
    // daily-cap waits are new messages with a delay, so their age starts again.
    maxAgeSeconds: 3600,
    description: 'Outbox sends: claim, render, send through SES at the configured rate, record sent or failed',
  },
  // Webhooks (docs/webhooks.md): an event fanned out to its endpoints, then one attempt per message;
  // a retry is a new delayed message, so maxReceives only covers consumer crashes, not receiver failures.
  {
    name: 'webhook-fanout',
    consumer: 'webhook-fanout',
    batchSize: 10,
    visibilityTimeoutSeconds: 180,
    maxReceives: 5,
    maxConcurrency: 5,
    maxAgeSeconds: 300,
    description: 'Webhook events: a pending delivery per subscribed endpoint and its first attempt',
  },
  {
    name: 'webhook-deliver',
    consumer: 'webhook-deliver',
    batchSize: 5,
    // Six times the consumer's timeout (AWS's advice); an attempt's lease is its timeout and 15 s.
    visibilityTimeoutSeconds: 360,
    maxReceives: 5,
    maxConcurrency: 10,
    // Retries wait as delayed messages (hops of up to 15 minutes), so their age starts again.
    maxAgeSeconds: 1800,
    description: 'Webhook attempts: a signed POST with a timeout, recorded; a failure enqueues the next attempt with backoff',
  },
];

export function queueSpec(name: string): QueueSpec {
  const q = QUEUES.find((x) => x.name === name);
  if (!q) throw new Error(`no queue ${name} in infra/queues-manifest.ts`);
  return q;
}
