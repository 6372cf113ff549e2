/**
 * Webhook endpoints, events, deliveries and attempts in the one table (keys.ts; docs/webhooks.md).
 * Event items are written by the repositories of the changes they report (webhookEventItems), in
 * the same transaction; the fan-out is told at once after the commit (announceWebhookEvents, an
 * observer of the unit-of-work executor) and, should that fail, by the sweeper.
 */
import { BatchGetCommand, GetCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { ConflictError, ErrorCode } from '../../domain/errors';
import { MAX_WEBHOOKS, type WebhookEvent, type WebhookEventType } from '../../domain/webhooks';
import type { Page, PageRequest } from '../../ports/page';
import type { Delivery, DeliveryAttempt, WebhookEndpoint, WebhookStore } from '../../ports/webhooks';
import type { WorkQueue } from '../../ports/work-queue';
import { TABLE, keys, shardOf } from './keys';
import { queryPage } from './query-page';
import { unitOfWork, type TransactItem, type UnitItem } from './unit-of-work';

/** Events, deliveries and attempts are kept 30 days (the replay window), then DynamoDB's TTL takes them. */
const RETENTION_SECONDS = 30 * 24 * 3600;
const expiresAt = (ms: number) => Math.floor(ms / 1000) + RETENTION_SECONDS;
const EVENT_TYPE = 'webhookEvent';
export const WEBHOOK_FANOUT_QUEUE = 'webhook-fanout';

/** The items of events, for the transaction of the change they report (any repository adds them). */
export function webhookEventItems(tableName: string, events: readonly WebhookEvent[] | undefined): TransactItem[] {
  return (events ?? []).map((e) => ({
    Put: {
      TableName: tableName,
      Item: {
        ...keys.webhookEvent(e.resellerId, e.id),
        ...keys.webhookUnpublished(shardOf(e.id, keys.webhookPublishShards), new Date(e.createdMs).toISOString(), e.resellerId, e.id),
        type: EVENT_TYPE,
        id: e.id,
        resellerId: e.resellerId,
        eventType: e.type,
        occurredAt: e.occurredAt,
        data: JSON.stringify(e.data),
        createdMs: e.createdMs,
        expiresAt: expiresAt(e.createdMs),
      },
    },
  }));
}

/**
 * Endpoints created or deleted in this process, a sequence number per reseller: the subscription
 * cache (webhook-subscriptions.ts) drops what it knew of a reseller changed since.
 */
const endpointChanges = new Map<string, number>();
let endpointChangeSeq = 0;
const webhookEndpointsChanged = (resellerId: string) => void endpointChanges.set(resellerId, ++endpointChangeSeq);
export const endpointChangeOf = (resellerId: string): number => endpointChanges.get(resellerId) ?? 0;

/** An event's item in a unit (webhookEventItems): its reseller, or undefined for any other item. */
export function webhookEventReseller(op: TransactItem): string | undefined {
  return op.Put?.Item?.type === EVENT_TYPE ? (op.Put.Item.resellerId as string) : undefined;
}

/**
 * The executor's observer: after a unit that wrote events commits, their fan-out work is enqueued
 * (one send for the unit). A failure here loses nothing: the event stays on the sweeper's index.
 */
export function announceWebhookEvents(queue: WorkQueue) {
  return async (ops: readonly TransactItem[]) => {
    const bodies = ops
      .filter((op) => webhookEventReseller(op) !== undefined)
      .map((op) => ({ resellerId: op.Put!.Item!.resellerId as string, eventId: op.Put!.Item!.id as string }));
    if (!bodies.length) return;
    try {
      await queue.send(WEBHOOK_FANOUT_QUEUE, bodies);
    } catch (e) {
      console.warn(`webhook events not announced (the sweeper will fan them out): ${(e as Error).message}`);
    }
  };
}

function toEndpoint(i: Record<string, unknown>): WebhookEndpoint {
  return {
    id: i.id as string,
    url: i.url as string,
    events: i.events as WebhookEventType[],
    encryptedSecret: i.encryptedSecret as string,
    createdAt: i.createdAt as string,
    ...(i.disabledAt ? { disabledAt: i.disabledAt as string } : {}),
  };
}

function toEvent(i: Record<string, unknown>): WebhookEvent {
  return {
    id: i.id as string,
    resellerId: i.resellerId as string,
    type: i.eventType as WebhookEventType,
    occurredAt: i.occurredAt as string,
    data: JSON.parse(i.data as string) as Record<string, unknown>,
    createdMs: Number(i.createdMs),
  };
}

function toDelivery(i: Record<string, unknown>): Delivery {
  return {
    eventId: i.eventId as string,
    type: i.eventType as WebhookEventType,
    status: i.status as Delivery['status'],
    attempts: Number(i.attempts ?? 0),
    roundStart: Number(i.roundStart ?? 0),
    ...(i.token ? { token: i.token as string } : {}),
    ...(i.leaseUntilMs !== undefined ? { leaseUntilMs: Number(i.leaseUntilMs) } : {}),
    ...(i.nextAttemptAtMs !== undefined ? { nextAttemptAtMs: Number(i.nextAttemptAtMs) } : {}),
  };
}

function toAttempt(i: Record<string, unknown>): DeliveryAttempt {
  return {
    deliveryId: i.eventId as string,
    eventId: i.eventId as string,
    type: i.eventType as WebhookEventType,
    attempt: Number(i.attempt),
    statusCode: i.statusCode === undefined || i.statusCode === null ? null : Number(i.statusCode),
    error: (i.error as string | undefined) ?? null,
    durationMs: Number(i.durationMs),
    at: i.at as string,
    outcome: i.outcome as DeliveryAttempt['outcome'],
  };
}

const conditionFailed = (e: unknown) => e instanceof ConditionalCheckFailedException;

export class DynamoWebhookStore implements WebhookStore {
  readonly publishShards = keys.webhookPublishShards;

  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async create(resellerId: string, e: WebhookEndpoint): Promise<void> {
    // A per-reseller counter, changed with the endpoint in one transaction, keeps the maximum under races.
    const items: UnitItem[] = [
      {
        Update: {
          TableName: this.tableName,
          Key: keys.webhookCount(resellerId),
          UpdateExpression: 'ADD #n :one',
          ConditionExpression: 'attribute_not_exists(#n) OR #n < :max',
          ExpressionAttributeNames: { '#n': 'count' },
          ExpressionAttributeValues: { ':one': 1, ':max': MAX_WEBHOOKS },
        },
        onConditionFailed: new ConflictError(`at most ${MAX_WEBHOOKS} webhooks per account`, ErrorCode.TOO_MANY_WEBHOOKS),
      },
      {
        Put: {
          TableName: this.tableName,
          Item: { ...keys.webhook(resellerId, e.id), type: 'webhook', ...e },
          ConditionExpression: 'attribute_not_exists(PK)',
        },
      },
    ];
    await unitOfWork(this.db).run(items);
    webhookEndpointsChanged(resellerId);
  }

  list(resellerId: string, page: PageRequest): Promise<Page<WebhookEndpoint>> {
    return queryPage(this.db, this.tableName, { partition: keys.partitionOf(resellerId), prefix: keys.webhookPrefix, page, map: toEndpoint });
  }

  async all(resellerId: string): Promise<WebhookEndpoint[]> {
    const out = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'PK = :pk AND begins_with(SK, :p)',
        ExpressionAttributeValues: { ':pk': keys.partitionOf(resellerId), ':p': keys.webhookPrefix },
        ConsistentRead: true,
      }),
    );
    return (out.Items ?? []).map(toEndpoint);
  }

  async get(resellerId: string, webhookId: string): Promise<WebhookEndpoint | undefined> {
    const out = await this.db.send(new GetCommand({ TableName: this.tableName, Key: keys.webhook(resellerId, webhookId), ConsistentRead: true }));
    return out.Item ? toEndpoint(out.Item) : undefined;
  }

  async delete(resellerId: string, webhookId: string): Promise<boolean> {
    try {
      await unitOfWork(this.db).run([
        { Delete: { TableName: this.tableName, Key: keys.webhook(resellerId, webhookId), ConditionExpression: 'attribute_exists(PK)' }, onConditionFailed: new Gone() },
        {
          Update: {
            TableName: this.tableName,
            Key: keys.webhookCount(resellerId),
            UpdateExpression: 'ADD #n :minus',
            ExpressionAttributeNames: { '#n': 'count' },
            ExpressionAttributeValues: { ':minus': -1 },
          },
        },
      ]);
      webhookEndpointsChanged(resellerId);
      return true;
    } catch (e) {
      if (e instanceof Gone) return false;
      throw e;
    }
  }

  async disable(resellerId: string, webhookId: string, at: string): Promise<void> {
    await this.db
      .send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.webhook(resellerId, webhookId),
          UpdateExpression: 'SET disabledAt = :at',
          ConditionExpression: 'attribute_exists(PK)',
          ExpressionAttributeValues: { ':at': at },
        }),
      )
      .catch((e) => {
        if (!conditionFailed(e)) throw e;
      });
  }

  async getEvent(resellerId: string, eventId: string): Promise<WebhookEvent | undefined> {
    const out = await this.db.send(new GetCommand({ TableName: this.tableName, Key: keys.webhookEvent(resellerId, eventId), ConsistentRead: true }));
    return out.Item ? toEvent(out.Item) : undefined;
  }

  async markFannedOut(resellerId: string, eventId: string): Promise<void> {
    await this.db
      .send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.webhookEvent(resellerId, eventId),
          UpdateExpression: 'SET fannedOut = :t REMOVE #gpk, #gsk',
          ConditionExpression: 'attribute_exists(PK)',
          ExpressionAttributeNames: { '#gpk': TABLE.gsi1.partitionKey, '#gsk': TABLE.gsi1.sortKey },
          ExpressionAttributeValues: { ':t': true },
        }),
      )
      .catch((e) => {
        if (!conditionFailed(e)) throw e;
      });
  }

  async unpublished(shard: number, beforeMs: number, limit: number): Promise<{ resellerId: string; eventId: string }[]> {
    const out = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: TABLE.gsi1.indexName,
        KeyConditionExpression: '#pk = :pk AND #sk < :before',
        ExpressionAttributeNames: { '#pk': TABLE.gsi1.partitionKey, '#sk': TABLE.gsi1.sortKey },
        ExpressionAttributeValues: { ':pk': keys.webhookUnpublishedPartition(shard), ':before': new Date(beforeMs).toISOString() },
        Limit: limit,
      }),
    );
    return (out.Items ?? []).map((i) => ({ resellerId: i.resellerId as string, eventId: i.id as string }));
  }

  async createDelivery(resellerId: string, webhookId: string, d: Pick<Delivery, 'eventId' | 'type'>): Promise<void> {
    await this.db
      .send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.webhookDelivery(resellerId, webhookId, d.eventId),
          UpdateExpression: 'SET eventId = :e, eventType = :t, #st = :pending, attempts = :zero, roundStart = :zero, expiresAt = :exp',
          ConditionExpression: 'attribute_not_exists(PK)',
          ExpressionAttributeNames: { '#st': 'status' },
          ExpressionAttributeValues: { ':e': d.eventId, ':t': d.type, ':pending': 'pending', ':zero': 0, ':exp': expiresAt(Date.now()) },
        }),
      )
      .catch((e) => {
        if (!conditionFailed(e)) throw e;
      });
  }

  async loadForAttempt(resellerId: string, webhookId: string, eventId: string) {
    const wanted = [keys.webhook(resellerId, webhookId), keys.webhookEvent(resellerId, eventId), keys.webhookDelivery(resellerId, webhookId, eventId)];
    const out = await this.db.send(new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: wanted, ConsistentRead: true } } }));
    const items = out.Responses?.[this.tableName] ?? [];
    const find = (k: { PK: string; SK: string }) => items.find((i) => i.PK === k.PK && i.SK === k.SK);
    const [e, ev, d] = wanted.map(find);
    return { endpoint: e ? toEndpoint(e) : undefined, event: ev ? toEvent(ev) : undefined, delivery: d ? toDelivery(d) : undefined };
  }

  async getDelivery(resellerId: string, webhookId: string, eventId: string): Promise<Delivery | undefined> {
    const out = await this.db.send(new GetCommand({ TableName: this.tableName, Key: keys.webhookDelivery(resellerId, webhookId, eventId), ConsistentRead: true }));
    return out.Item ? toDelivery(out.Item) : undefined;
  }

  async claim(resellerId: string, webhookId: string, eventId: string, n: number, token: string, nowMs: number, leaseUntilMs: number): Promise<boolean> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.webhookDelivery(resellerId, webhookId, eventId),
          UpdateExpression: 'SET #st = :sending, attempts = :n, #tok = :tok, leaseUntilMs = :lease',
          ConditionExpression: '(#st = :pending AND attempts = :prev) OR (#st = :sending AND attempts = :n AND leaseUntilMs < :now)',
          ExpressionAttributeNames: { '#st': 'status', '#tok': 'token' },
          ExpressionAttributeValues: { ':sending': 'sending', ':pending': 'pending', ':n': n, ':prev': n - 1, ':tok': token, ':lease': leaseUntilMs, ':now': nowMs },
        }),
      );
      return true;
    } catch (e) {
      if (conditionFailed(e)) return false;
      throw e;
    }
  }

  async record(
    resellerId: string,
    webhookId: string,
    token: string,
    a: DeliveryAttempt,
    next: { status: 'succeeded' | 'failed' } | { status: 'pending'; nextAttemptAtMs: number },
  ): Promise<boolean> {
    const values: Record<string, unknown> = { ':st': next.status, ':tok': token, ':sending': 'sending', ':n': a.attempt };
    let update = 'SET #st = :st REMOVE #tok, leaseUntilMs';
    if (next.status === 'pending') {
      update = 'SET #st = :st, nextAttemptAtMs = :next REMOVE #tok, leaseUntilMs';
      values[':next'] = next.nextAttemptAtMs;
    }
    const nowMs = Date.parse(a.at);
    try {
      await unitOfWork(this.db).run([
        {
          Update: {
            TableName: this.tableName,
            Key: keys.webhookDelivery(resellerId, webhookId, a.eventId),
            UpdateExpression: update,
            ConditionExpression: '#st = :sending AND #tok = :tok AND attempts = :n',
            ExpressionAttributeNames: { '#st': 'status', '#tok': 'token' },
            ExpressionAttributeValues: values,
          },
          onConditionFailed: new Gone(),
        },
        {
          Put: {
            TableName: this.tableName,
            Item: {
              ...keys.webhookAttempt(resellerId, webhookId, a.at, a.eventId, a.attempt),
              type: 'webhookAttempt',
              eventId: a.eventId,
              eventType: a.type,
              attempt: a.attempt,
              statusCode: a.statusCode,
              ...(a.error ? { error: a.error } : {}),
              durationMs: a.durationMs,
              at: a.at,
              outcome: a.outcome,
              expiresAt: expiresAt(nowMs),
            },
          },
        },
      ]);
      return true;
    } catch (e) {
      if (e instanceof Gone) return false;
      throw e;
    }
  }

  async replay(resellerId: string, webhookId: string, eventId: string, attempts: number): Promise<boolean> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.webhookDelivery(resellerId, webhookId, eventId),
          UpdateExpression: 'SET #st = :pending, roundStart = :n, nextAttemptAtMs = :now',
          ConditionExpression: '(#st = :ok OR #st = :failed) AND attempts = :n',
          ExpressionAttributeNames: { '#st': 'status' },
          ExpressionAttributeValues: { ':pending': 'pending', ':ok': 'succeeded', ':failed': 'failed', ':n': attempts, ':now': Date.now() },
        }),
      );
      return true;
    } catch (e) {
      if (conditionFailed(e)) return false;
      throw e;
    }
  }

  attempts(resellerId: string, webhookId: string, page: PageRequest): Promise<Page<DeliveryAttempt>> {
    return queryPage(this.db, this.tableName, {
      partition: keys.webhookDeliveryPartition(resellerId, webhookId),
      prefix: keys.webhookAttemptPrefix,
      page,
      newestFirst: true,
      map: toAttempt,
    });
  }
}

/** A condition that means "not there / not ours any more" (answered by the caller, not as a 409). */
class Gone extends Error {
  constructor() {
    super('gone');
  }
}
