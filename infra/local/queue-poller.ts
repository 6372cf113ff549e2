import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { createHash } from 'node:crypto';
import type { LocalWorkQueue, ReceivedMessage } from '../../shared/adapters/dynamodb/local-work-queue';
import type { QueueSpec } from '../queues-manifest';

export type ConsumerHandler = (event: SQSEvent, context: unknown) => Promise<SQSBatchResponse | void>;

export interface PollerOptions {
  /** Loads the consumer function of a queue (the functions manifest entry named by `consumer`). */
  load: (consumer: string) => Promise<ConsumerHandler>;
  /** Local cap on concurrent batches per queue (the catalogue's maxConcurrency is for AWS); default 4. */
  concurrency?: number;
  /** Visibility timeout used locally instead of the catalogue's (tests make crash recovery quick). */
  visibilitySeconds?: number;
  /**
   * Wait after a first empty poll; it doubles with each empty poll up to `maxIdleMs`. A send in
   * this process wakes the poller at once (a delayed one when it becomes visible), so the long
   * waits only delay messages sent by another process and redeliveries after a visibility timeout.
   */
  idleMs?: number;
  /** Longest wait between polls of an empty queue (default 5000 ms). */
  maxIdleMs?: number;
  log?: (line: string) => void;
}

/**
 * The local stand-in for Lambda's SQS event source mapping: per queue of the catalogue it receives
 * batches of up to `batchSize` messages, builds the SQSEvent Lambda would, calls the consumer, and
 * deletes the messages that did not fail (batchItemFailures); failed ones (or all of them when the
 * handler throws) come back after the visibility timeout and, past maxReceives, go to the dead letters.
 */
export class QueuePoller {
  private running = false;
  private loops: Promise<void>[] = [];
  private inFlight = new Map<string, Set<Promise<void>>>();
  private wake = new Map<string, () => void>();
  private timers = new Set<NodeJS.Timeout>();

  constructor(
    private readonly queue: LocalWorkQueue,
    private readonly specs: readonly QueueSpec[],
    private readonly opts: PollerOptions,
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    const onSent = (name: string, delayMs = 0) => {
      if (delayMs <= 0) this.wake.get(name)?.();
      else this.wakeAfter(name, delayMs);
    };
    this.queue.events.on('sent', onSent);
    this.stopListening = () => this.queue.events.off('sent', onSent);
    for (const spec of this.specs) {
      this.inFlight.set(spec.name, new Set());
      this.loops.push(this.loop(spec));
    }
  }

  private stopListening = () => undefined as void;

  async stop(): Promise<void> {
    this.running = false;
    this.stopListening();
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const w of this.wake.values()) w();
    await Promise.all(this.loops);
    await Promise.all([...this.inFlight.values()].flatMap((s) => [...s]));
    this.loops = [];
  }

  /** Resolves when the queue holds no message (visible or in flight) and no batch is running. */
  async idle(name: string, pollMs = 50): Promise<void> {
    for (;;) {
      if (!this.inFlight.get(name)?.size && (await this.queue.depth(name)) === 0 && !this.inFlight.get(name)?.size) return;
      await new Promise((r) => setTimeout(r, pollMs));
    }
  }

  private async loop(spec: QueueSpec): Promise<void> {
    const cap = Math.max(1, Math.min(spec.maxConcurrency, this.opts.concurrency ?? 4));
    const visibility = this.opts.visibilitySeconds ?? spec.visibilityTimeoutSeconds;
    const running = this.inFlight.get(spec.name)!;
    const firstIdle = this.opts.idleMs ?? 250;
    let idle = firstIdle;
    while (this.running) {
      if (running.size >= cap) {
        await Promise.race(running);
        continue;
      }
      let batch: ReceivedMessage[] = [];
      try {
        batch = await this.queue.receive(spec.name, spec.batchSize, visibility);
      } catch (e) {
        if (this.running) this.opts.log?.(`queue ${spec.name}: receive failed: ${(e as Error).message}`);
      }
      if (!batch.length) {
        // Idle DynamoDB polling of a dozen queues in every runtime was most of an idle runtime's CPU.
        const woken = await new Promise<boolean>((res) => {
          const t = setTimeout(() => res(false), idle);
          this.wake.set(spec.name, () => {
            clearTimeout(t);
            res(true);
          });
        });
        idle = woken ? firstIdle : Math.min(idle * 2, Math.max(firstIdle, this.opts.maxIdleMs ?? 5000));
        continue;
      }
      idle = firstIdle;
      const p: Promise<void> = this.deliver(spec, batch, visibility).finally(() => running.delete(p));
      running.add(p);
    }
  }

  /** Wakes the queue's loop after `ms` (a delayed message becomes visible, a failed one comes back). */
  private wakeAfter(name: string, ms: number): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      this.wake.get(name)?.();
    }, ms + 5).unref();
    this.timers.add(t);
  }

  private async deliver(spec: QueueSpec, batch: ReceivedMessage[], visibilitySeconds: number): Promise<void> {
    let failed: Set<string>;
    try {
      const handler = await this.opts.load(spec.consumer);
      const out = await handler({ Records: batch.map((m) => toRecord(spec.name, m)) }, {});
      failed = new Set((out?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
    } catch (e) {
      this.opts.log?.(`queue ${spec.name}: consumer ${spec.consumer} failed: ${(e as Error).message}`);
      this.wakeAfter(spec.name, visibilitySeconds * 1000);
      return; // the whole batch comes back after its visibility timeout, as on Lambda
    }
    if (failed.size) this.wakeAfter(spec.name, visibilitySeconds * 1000);
    for (const m of batch) {
      if (failed.has(m.id)) continue;
      try {
        await this.queue.ack(spec.name, m);
      } catch (e) {
        this.opts.log?.(`queue ${spec.name}: could not delete ${m.id}: ${(e as Error).message}`);
      }
    }
  }
}

/** The record Lambda's event source mapping would hand the consumer. */
function toRecord(queue: string, m: ReceivedMessage): SQSRecord {
  return {
    messageId: m.id,
    receiptHandle: m.receipt,
    body: m.body,
    attributes: {
      ApproximateReceiveCount: String(m.receiveCount),
      SentTimestamp: String(m.sentAt),
      SenderId: 'local',
      ApproximateFirstReceiveTimestamp: String(m.firstReceiveAt),
    },
    messageAttributes: {},
    md5OfBody: createHash('md5').update(m.body).digest('hex'),
    eventSource: 'aws:sqs',
    eventSourceARN: `arn:aws:sqs:local:000000000000:${queue}`,
    awsRegion: 'local',
  };
}
