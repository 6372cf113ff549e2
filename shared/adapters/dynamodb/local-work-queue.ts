/**
 * The embedded runtime's WorkQueue: a durable queue kept in DynamoDB Local with SQS's at-least-once
 * semantics, so the same consumers run on one machine (never used on AWS).
 *
 * - send: one item per message, visible at once (or after `delaySeconds`);
 * - receive: the oldest visible messages, each claimed by a conditional update that moves its
 *   visibility deadline (GSI1 sort key) forward, hands out a new receipt and counts the receive; a
 *   message already received `maxReceives` times goes to the dead letters instead (as SQS does);
 * - ack: deletes the message if the receipt is still the current one; a failed message is left
 *   alone and comes back when its visibility timeout runs out, also after a kill -9 of the runtime;
 * - dead letters are kept (with their last receive count) and listable.
 *
 * Time here is the machine's real time, not the dev clock: visibility timeouts are about processes,
 * not about billing days.
 */
import { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import { BatchWriteCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ConcurrentChangeError } from '../../domain/errors';
import type { WorkQueue } from '../../ports/work-queue';
import type { Page, PageRequest } from '../../ports/page';
import { keys, TABLE } from './keys';
import { countQuery, queryPage } from './query-page';
import { unitOfWork } from './unit-of-work';

/** A receipt or visibility condition failed: another poller holds the message now (or it is gone). */
class NotOurs extends Error {}

/** SQS's limit of one message body. */
export const MAX_MESSAGE_BYTES = 262_144;

export interface ReceivedMessage {
  id: string;
  receipt: string;
  body: string;
  /** Receives so far, this one included (SQS ApproximateReceiveCount). */
  receiveCount: number;
  sentAt: number;
  firstReceiveAt: number;
  /** Set once the test option "deliver twice" has released it again. */
  duplicated: boolean;
}

export interface DeadLetter {
  id: string;
  body: string;
  receiveCount: number;
  sentAt: number;
  deadAt: number;
}

export interface LocalWorkQueueOptions {
  /** Receives before a message goes to the dead letters, per queue (the queue catalogue's maxReceives). */
  maxReceives: (queue: string) => number;
  /** Tests: every message is delivered (at least) twice, the second time after it was processed once. */
  duplicateDelivery?: boolean;
  now?: () => number;
}

const pad = (ms: number) => String(Math.max(0, Math.floor(ms))).padStart(15, '0');

export class LocalWorkQueue implements WorkQueue {
  /** 'sent' (queue name): the poller wakes up at once instead of at its next poll. */
  readonly events = new EventEmitter();
  private readonly now: () => number;

  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
    private opts: LocalWorkQueueOptions,
  ) {
    this.now = opts.now ?? Date.now;
    this.events.setMaxListeners(0);
  }

  /** Tests: deliver every message twice from now on (or no longer). */
  setDuplicateDelivery(on: boolean): void {
    this.opts = { ...this.opts, duplicateDelivery: on };
  }

  async send(queue: string, bodies: readonly unknown[], opts: { delaySeconds?: number } = {}): Promise<void> {
    const sentAt = this.now();
    const visibleAt = sentAt + Math.max(0, opts.delaySeconds ?? 0) * 1000;
    const items = bodies.map((b, i) => {
      const body = JSON.stringify(b);
      if (Buffer.byteLength(body) > MAX_MESSAGE_BYTES) throw new Error(`a message to ${queue} is over ${MAX_MESSAGE_BYTES} bytes`);
      // Sent time, then the order within this send: oldest first, as fair as SQS standard queues.
      const id = `${pad(sentAt)}-${String(i).padStart(5, '0')}-${randomUUID().slice(0, 8)}`;
      return {
        ...keys.queueMessage(queue, id),
        ...keys.queueVisibility(queue, pad(visibleAt), id),
        type: 'queueMessage',
        id,
        body,
        sentAt,
        receiveCount: 0,
      };
    });
    for (let i = 0; i < items.length; i += 25) {
      let requests: Record<string, unknown>[] = items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } }));
      for (let attempt = 0; requests.length; attempt++) {
        const out = await this.db.send(new BatchWriteCommand({ RequestItems: { [this.tableName]: requests as never } }));
        requests = (out.UnprocessedItems?.[this.tableName] ?? []) as Record<string, unknown>[];
        if (requests.length && attempt > 8) throw new Error(`could not store ${requests.length} messages to ${queue}`);
        if (requests.length) await new Promise((r) => setTimeout(r, 20 * 2 ** attempt));
      }
    }
    // `delayMs` lets an in-process poller sleep until then instead of polling the queue meanwhile.
    if (items.length) this.events.emit('sent', queue, visibleAt - sentAt);
  }

  /** Claims up to `max` visible messages, oldest first, for `visibilitySeconds`. */
  async receive(queue: string, max: number, visibilitySeconds: number): Promise<ReceivedMessage[]> {
    const now = this.now();
    const out = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: TABLE.gsi1.indexName,
        KeyConditionExpression: '#pk = :pk AND #sk <= :until',
        ExpressionAttributeNames: { '#pk': TABLE.gsi1.partitionKey, '#sk': TABLE.gsi1.sortKey },
        ExpressionAttributeValues: { ':pk': keys.queueVisibilityPartition(queue), ':until': `${pad(now)}#\uffff` },
        Limit: max * 2,
      }),
    );
    const got: ReceivedMessage[] = [];
    for (const item of out.Items ?? []) {
      if (got.length >= max) break;
      const claimed = await this.claim(queue, item, now, visibilitySeconds);
      if (claimed) got.push(claimed);
    }
    return got;
  }

  private async claim(queue: string, item: Record<string, unknown>, now: number, visibilitySeconds: number): Promise<ReceivedMessage | undefined> {
    const id = item.id as string;
    const receipt = randomUUID();
    let claimed: Record<string, unknown> | undefined;
    try {
      claimed = await unitOfWork(this.db).run(
        [
          {
            Update: {
              TableName: this.tableName,
              Key: keys.queueMessage(queue, id),
              UpdateExpression: 'SET #sk = :next, receipt = :r, firstReceiveAt = if_not_exists(firstReceiveAt, :now) ADD receiveCount :one',
              ConditionExpression: '#sk = :seen',
              ExpressionAttributeNames: { '#sk': TABLE.gsi1.sortKey },
              ExpressionAttributeValues: {
                ':next': keys.queueVisibility(queue, pad(now + visibilitySeconds * 1000), id).GSI1SK,
                ':seen': item[TABLE.gsi1.sortKey],
                ':r': receipt,
                ':now': now,
                ':one': 1,
              },
            },
            onConditionFailed: new NotOurs(),
          },
        ],
        { returnValues: 'ALL_NEW' },
      );
    } catch (e) {
      // Another poller took it (or it stayed contended): it is theirs, or comes back at the next poll.
      if (e instanceof NotOurs || e instanceof ConcurrentChangeError) return undefined;
      throw e;
    }
    if (!claimed) return undefined;
    const msg: ReceivedMessage = {
      id,
      receipt,
      body: claimed.body as string,
      receiveCount: claimed.receiveCount as number,
      sentAt: claimed.sentAt as number,
      firstReceiveAt: claimed.firstReceiveAt as number,
      duplicated: claimed.duplicated === true,
    };
    if (msg.receiveCount <= this.opts.maxReceives(queue)) return msg;
    await this.moveToDeadLetters(queue, msg, now);
    return undefined;
  }

  private async moveToDeadLetters(queue: string, msg: ReceivedMessage, now: number): Promise<void> {
    try {
      await unitOfWork(this.db).run([
        {
          Delete: {
            TableName: this.tableName,
            Key: keys.queueMessage(queue, msg.id),
            ConditionExpression: 'receipt = :r',
            ExpressionAttributeValues: { ':r': msg.receipt },
          },
          onConditionFailed: new NotOurs(),
        },
        {
          Put: {
            TableName: this.tableName,
            Item: {
              ...keys.queueDeadLetter(queue, msg.id),
              type: 'queueDeadLetter',
              id: msg.id,
              body: msg.body,
              receiveCount: msg.receiveCount - 1,
              sentAt: msg.sentAt,
              deadAt: now,
            },
          },
        },
      ]);
    } catch (e) {
      // Received again meanwhile, or still contended: the message stays and comes back.
      if (!(e instanceof NotOurs || e instanceof ConcurrentChangeError)) throw e;
    }
  }

  /** The consumer processed the message: it is deleted (with duplicateDelivery, released once first). */
  async ack(queue: string, msg: ReceivedMessage): Promise<void> {
    try {
      if (this.opts.duplicateDelivery && !msg.duplicated) {
        await unitOfWork(this.db).run([
          {
            Update: {
              TableName: this.tableName,
              Key: keys.queueMessage(queue, msg.id),
              UpdateExpression: 'SET #sk = :visible, duplicated = :t',
              ConditionExpression: 'receipt = :r',
              ExpressionAttributeNames: { '#sk': TABLE.gsi1.sortKey },
              ExpressionAttributeValues: { ':visible': keys.queueVisibility(queue, pad(this.now()), msg.id).GSI1SK, ':t': true, ':r': msg.receipt },
            },
            onConditionFailed: new NotOurs(),
          },
        ]);
        this.events.emit('sent', queue);
        return;
      }
      await unitOfWork(this.db).run([
        {
          Delete: {
            TableName: this.tableName,
            Key: keys.queueMessage(queue, msg.id),
            ConditionExpression: 'receipt = :r',
            ExpressionAttributeValues: { ':r': msg.receipt },
          },
          onConditionFailed: new NotOurs(),
        },
      ]);
    } catch (e) {
      // Received again by someone else after its visibility timeout: theirs to finish, as on SQS.
      if (!(e instanceof NotOurs)) throw e;
    }
  }

  /** Messages still in the queue, visible or in flight (not the dead letters). */
  async depth(queue: string): Promise<number> {
    return countQuery(this.db, {
      TableName: this.tableName,
      KeyConditionExpression: '#pk = :pk',
      ExpressionAttributeNames: { '#pk': TABLE.partitionKey },
      ExpressionAttributeValues: { ':pk': keys.queueMessage(queue, '').PK },
    });
  }

  async deadLetters(queue: string, page: PageRequest): Promise<Page<DeadLetter>> {
    return queryPage(this.db, this.tableName, {
      partition: keys.queueDeadLetterPartition(queue),
      page,
      map: (i) => ({
        id: i.id as string,
        body: i.body as string,
        receiveCount: i.receiveCount as number,
        sentAt: i.sentAt as number,
        deadAt: i.deadAt as number,
      }),
    });
  }
}
