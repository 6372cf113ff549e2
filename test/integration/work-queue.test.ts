/**
 * The durable local work queue (DynamoDB Local) and its poller: SQS's at-least-once semantics
 * (visibility timeout, redelivery, receive count, dead letters after maxReceives), claims that no
 * two receivers share, partial batch responses, the concurrency cap and the "deliver twice" option.
 * Each test uses queue names of its own on the shared runtime's table.
 */
import { randomBytes } from 'node:crypto';
import type { SQSEvent } from 'aws-lambda';
import { describe, expect, inject, it } from 'vitest';
import { createDocumentClient, localClientConfig } from '../../shared/adapters/dynamodb/client';
import { LocalWorkQueue } from '../../shared/adapters/dynamodb/local-work-queue';
import { QueuePoller } from '../../infra/local/queue-poller';
import type { QueueSpec } from '../../infra/queues-manifest';
import { sqsConsumer } from '../../functions/jobs/sqs-consumer';

const db = createDocumentClient(localClientConfig(inject('dynamoEndpoint'), inject('dynamoCredentials')));
const table = inject('tableName');
const qname = () => `t-${randomBytes(4).toString('hex')}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function queue(opts: { maxReceives?: number; duplicateDelivery?: boolean; now?: () => number } = {}) {
  return new LocalWorkQueue(db, table, { maxReceives: () => opts.maxReceives ?? 3, duplicateDelivery: opts.duplicateDelivery, now: opts.now });
}

const spec = (name: string, over: Partial<QueueSpec> = {}): QueueSpec => ({
  name,
  consumer: 'test',
  batchSize: 3,
  visibilityTimeoutSeconds: 30,
  maxReceives: 3,
  maxConcurrency: 10,
  maxAgeSeconds: 60,
  description: 'test',
  ...over,
});

describe('local work queue', () => {
  it('delivers oldest first, hides a received message for its visibility timeout, deletes it on ack', async () => {
    let t = 1_000_000;
    const q = queue({ now: () => t });
    const name = qname();
    await q.send(name, [{ n: 1 }, { n: 2 }]);
    t += 1;
    await q.send(name, [{ n: 3 }]);
    const first = await q.receive(name, 2, 30);
    expect(first.map((m) => JSON.parse(m.body).n)).toEqual([1, 2]);
    expect(first.every((m) => m.receiveCount === 1)).toBe(true);
    const second = await q.receive(name, 10, 30);
    expect(second.map((m) => JSON.parse(m.body).n)).toEqual([3]);
    expect(await q.receive(name, 10, 30)).toEqual([]);
    for (const m of [...first, ...second]) await q.ack(name, m);
    expect(await q.depth(name)).toBe(0);
  });

  it('delivers again after the visibility timeout, counting receives; a stale receipt cannot delete it', async () => {
    let t = 2_000_000;
    const q = queue({ now: () => t });
    const name = qname();
    await q.send(name, [{ job: 'x' }]);
    const [a] = await q.receive(name, 1, 10);
    t += 9_000;
    expect(await q.receive(name, 1, 10)).toEqual([]);
    t += 2_000;
    const [b] = await q.receive(name, 1, 10);
    expect(b!.id).toBe(a!.id);
    expect(b!.receiveCount).toBe(2);
    await q.ack(name, a!); // the first receiver finished late: its receipt is no longer valid
    expect(await q.depth(name)).toBe(1);
    await q.ack(name, b!);
    expect(await q.depth(name)).toBe(0);
  });

  it('moves a message received maxReceives times to the dead letters, where it is kept and listed', async () => {
    let t = 3_000_000;
    const q = queue({ now: () => t, maxReceives: 2 });
    const name = qname();
    await q.send(name, [{ poison: true }, { fine: true }]);
    for (let i = 0; i < 2; i++) {
      const got = await q.receive(name, 10, 5);
      for (const m of got) if (JSON.parse(m.body).fine) await q.ack(name, m);
      t += 6_000;
    }
    expect(await q.receive(name, 10, 5)).toEqual([]);
    expect(await q.depth(name)).toBe(0);
    const dead = await q.deadLetters(name, { limit: 10 });
    expect(dead.items.map((d) => [JSON.parse(d.body), d.receiveCount])).toEqual([[{ poison: true }, 2]]);
  });

  it('never hands one message to two concurrent receivers', async () => {
    const q = queue();
    const name = qname();
    await q.send(name, Array.from({ length: 40 }, (_v, i) => ({ i })));
    const got = (await Promise.all(Array.from({ length: 8 }, () => q.receive(name, 10, 60)))).flat();
    const ids = got.map((m) => m.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBeLessThanOrEqual(40);
  });

  it('delivers every message twice with the duplicateDelivery option', async () => {
    const q = queue({ duplicateDelivery: true });
    const name = qname();
    await q.send(name, [{ a: 1 }, { a: 2 }]);
    const seen: number[] = [];
    for (let i = 0; i < 6; i++) {
      for (const m of await q.receive(name, 10, 60)) {
        seen.push(JSON.parse(m.body).a);
        await q.ack(name, m);
      }
    }
    expect(seen.sort()).toEqual([1, 1, 2, 2]);
    expect(await q.depth(name)).toBe(0);
  });

  it('keeps a delayed message invisible until its delay has passed', async () => {
    let t = 4_000_000;
    const q = queue({ now: () => t });
    const name = qname();
    await q.send(name, [{ later: true }], { delaySeconds: 30 });
    expect(await q.receive(name, 1, 10)).toEqual([]);
    t += 31_000;
    expect((await q.receive(name, 1, 10)).length).toBe(1);
  });
});

describe('queue poller', () => {
  it('calls the consumer with an SQSEvent, deletes what succeeded, redelivers what failed, within the concurrency cap', async () => {
    const q = queue({ maxReceives: 5 });
    const name = qname();
    const attempts = new Map<number, number>();
    let active = 0;
    let maxActive = 0;
    const events: SQSEvent[] = [];
    const consumer = sqsConsumer('test', async (body, delivery) => {
      const n = (body as { n: number }).n;
      attempts.set(n, (attempts.get(n) ?? 0) + 1);
      expect(delivery.receiveCount).toBe(attempts.get(n));
      active++;
      maxActive = Math.max(maxActive, active);
      await sleep(30);
      active--;
      if (n % 5 === 0 && attempts.get(n)! < 2) throw new Error(`flaky ${n}`);
    });
    const poller = new QueuePoller(q, [spec(name, { batchSize: 2 })], {
      load: async () => async (event) => {
        events.push(event as SQSEvent);
        return consumer(event as SQSEvent);
      },
      concurrency: 3,
      visibilitySeconds: 1,
      idleMs: 50,
    });
    poller.start();
    try {
      await q.send(name, Array.from({ length: 20 }, (_v, n) => ({ n })));
      await poller.idle(name);
    } finally {
      await poller.stop();
    }
    expect([...attempts.keys()].sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_v, n) => n));
    for (const [n, a] of attempts) expect(a).toBe(n % 5 === 0 ? 2 : 1);
    expect(maxActive).toBeLessThanOrEqual(3 * 2);
    expect(events.every((e) => e.Records.length <= 2 && e.Records.every((r) => r.eventSource === 'aws:sqs' && r.eventSourceARN.endsWith(`:${name}`)))).toBe(true);
  });

  it('leaves the whole batch for redelivery when the consumer throws', async () => {
    const q = queue({ maxReceives: 5 });
    const name = qname();
    let calls = 0;
    const poller = new QueuePoller(q, [spec(name)], {
      load: async () => async () => {
        calls++;
        if (calls === 1) throw new Error('crash');
        return { batchItemFailures: [] };
      },
      concurrency: 1,
      visibilitySeconds: 1,
      idleMs: 50,
    });
    poller.start();
    try {
      await q.send(name, [{ a: 1 }]);
      await poller.idle(name);
    } finally {
      await poller.stop();
    }
    expect(calls).toBe(2);
  });
});
