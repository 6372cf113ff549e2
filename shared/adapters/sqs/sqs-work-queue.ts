import { SendMessageBatchCommand, SQSClient, type SendMessageBatchRequestEntry } from '@aws-sdk/client-sqs';
import type { WorkQueue } from '../../ports/work-queue';

type Env = Record<string, string | undefined>;

/** The environment variable that holds a queue's URL (the stack sets it for the functions that send to it). */
export const queueUrlEnv = (queue: string) => `QUEUE_URL_${queue.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;

const MAX_BATCH_ENTRIES = 10;
const MAX_BATCH_BYTES = 262_144;
const ATTEMPTS = 5;

/**
 * WorkQueue on Amazon SQS: SendMessageBatch by ten (and under SQS's 256 KB per request), the entries
 * SQS reports as failed sent again with backoff; a sender fault (a bad message) or entries still
 * failing after the attempts throw, so no message is dropped quietly. The client is built on the
 * first send, so a function that never enqueues pays nothing.
 */
export class SqsWorkQueue implements WorkQueue {
  private client: SQSClient | undefined;

  constructor(
    private readonly env: Env,
    client?: SQSClient,
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
  ) {
    this.client = client;
  }

  async send(queue: string, bodies: readonly unknown[], opts: { delaySeconds?: number } = {}): Promise<void> {
    const url = this.env[queueUrlEnv(queue)];
    if (!url) throw new Error(`${queueUrlEnv(queue)} is not set: this function may not send to queue ${queue}`);
    this.client ??= new SQSClient({});
    const delay = opts.delaySeconds ? Math.min(900, Math.max(0, Math.round(opts.delaySeconds))) : undefined;
    const entries: SendMessageBatchRequestEntry[] = bodies.map((b, i) => {
      const body = JSON.stringify(b);
      if (Buffer.byteLength(body) > MAX_BATCH_BYTES) throw new Error(`a message to ${queue} is over ${MAX_BATCH_BYTES} bytes`);
      return { Id: String(i), MessageBody: body, ...(delay !== undefined ? { DelaySeconds: delay } : {}) };
    });
    for (const chunk of chunks(entries)) await this.sendChunk(queue, url, chunk);
  }

  private async sendChunk(queue: string, url: string, chunk: SendMessageBatchRequestEntry[]): Promise<void> {
    let pending = chunk;
    for (let attempt = 1; ; attempt++) {
      const out = await this.client!.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: pending }));
      const failed = out.Failed ?? [];
      if (!failed.length) return;
      const fault = failed.find((f) => f.SenderFault);
      if (fault || attempt >= ATTEMPTS) {
        const f = fault ?? failed[0]!;
        throw new Error(`SQS refused ${failed.length} message(s) to ${queue}: ${f.Code} ${f.Message ?? ''}`.trim());
      }
      const ids = new Set(failed.map((f) => f.Id));
      pending = pending.filter((e) => ids.has(e.Id));
      await this.sleep(50 * 2 ** attempt * (0.5 + Math.random()));
    }
  }
}

/** Ten entries at most, and at most 256 KB of bodies, per request. */
function* chunks(entries: SendMessageBatchRequestEntry[]): Generator<SendMessageBatchRequestEntry[]> {
  let cur: SendMessageBatchRequestEntry[] = [];
  let bytes = 0;
  for (const e of entries) {
    const size = Buffer.byteLength(e.MessageBody!);
    if (cur.length && (cur.length >= MAX_BATCH_ENTRIES || bytes + size > MAX_BATCH_BYTES)) {
      yield cur;
      cur = [];
      bytes = 0;
    }
    cur.push(e);
    bytes += size;
  }
  if (cur.length) yield cur;
}

/** The ComposeParts entry of a function that sends to work queues on AWS. */
export const sqsQueue = (env: Env) => new SqsWorkQueue(env);
