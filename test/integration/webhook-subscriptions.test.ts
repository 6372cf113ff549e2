/**
 * Webhook events only for resellers with an endpoint (webhook-subscriptions.ts), on DynamoDB Local:
 * the executor's filter drops the events of a reseller without one; an endpoint created in this
 * process counts at once, one created elsewhere once the cache entry is SUBSCRIPTION_CACHE_MS old.
 */
import { randomBytes } from 'node:crypto';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, inject, it } from 'vitest';
import { keys } from '../../shared/adapters/dynamodb/keys';
import { UnitOfWork, type TransactItem, type UnitItem } from '../../shared/adapters/dynamodb/unit-of-work';
import { DynamoWebhookStore, webhookEventItems } from '../../shared/adapters/dynamodb/webhook-store';
import { SUBSCRIPTION_CACHE_MS, WebhookSubscriptions } from '../../shared/adapters/dynamodb/webhook-subscriptions';
import { ConflictError, ErrorCode } from '../../shared/domain/errors';
import type { WebhookEvent } from '../../shared/domain/webhooks';
import { localDocumentClient } from '../support/local-db';

const T = () => inject('tableName');
const db = localDocumentClient();
const rid = () => `rsub${randomBytes(4).toString('hex')}`;

function event(resellerId: string): WebhookEvent {
  const id = `evt_${randomBytes(8).toString('hex')}`;
  return { id, resellerId, type: 'user.created', occurredAt: new Date().toISOString(), data: { username: 'web1' }, createdMs: Date.now() };
}

/** An executor with the filter, and what its commit observer saw. */
function executor(subs = new WebhookSubscriptions(db, T())) {
  const uow = new UnitOfWork(db);
  uow.useFilter(subs.filter);
  const committed: TransactItem[][] = [];
  uow.onCommit(async (ops) => void committed.push([...ops]));
  return { uow, subs, committed };
}

const change = (resellerId: string): UnitItem => ({
  Put: { TableName: T(), Item: { PK: `R#${resellerId}`, SK: `CHANGE#${randomBytes(3).toString('hex')}`, type: 'change' } },
});
const stored = async (resellerId: string, e: WebhookEvent) =>
  (await db.send(new GetCommand({ TableName: T(), Key: keys.webhookEvent(resellerId, e.id), ConsistentRead: true }))).Item;

async function addEndpoint(resellerId: string) {
  await new DynamoWebhookStore(db, T()).create(resellerId, {
    id: `wh_${randomBytes(4).toString('hex')}`,
    url: 'https://hooks.example.com/x',
    events: ['user.created'],
    encryptedSecret: 'x',
    createdAt: new Date().toISOString(),
  });
}

describe('webhook events only where an endpoint listens', () => {
  it('a reseller without an endpoint: the change is written, its event is not, nothing is announced', async () => {
    const { uow, committed } = executor();
    const r = rid();
    const c = change(r);
    const e = event(r);
    await uow.run([c, ...webhookEventItems(T(), [e])]);
    expect((await db.send(new GetCommand({ TableName: T(), Key: { PK: c.Put!.Item!.PK, SK: c.Put!.Item!.SK } }))).Item).toBeDefined();
    expect(await stored(r, e)).toBeUndefined();
    expect(committed[0]!.some((op) => op.Put?.Item?.type === 'webhookEvent')).toBe(false);
  });

  it('a unit of nothing but such events writes nothing and succeeds', async () => {
    const { uow, committed } = executor();
    const r = rid();
    const e = event(r);
    await expect(uow.run(webhookEventItems(T(), [e]))).resolves.toBeUndefined();
    expect(await stored(r, e)).toBeUndefined();
    expect(committed).toEqual([]);
  });

  it('a reseller with an endpoint: the event is written in the unit and announced', async () => {
    const { uow, committed } = executor();
    const r = rid();
    await addEndpoint(r);
    const e = event(r);
    await uow.run([change(r), ...webhookEventItems(T(), [e])]);
    expect(await stored(r, e)).toMatchObject({ id: e.id, resellerId: r });
    expect(committed[0]!.filter((op) => op.Put?.Item?.type === 'webhookEvent')).toHaveLength(1);
  });

  it('an endpoint created in this process after the cache said "none" counts at once; one deleted stops the events', async () => {
    const { uow, subs } = executor();
    const r = rid();
    expect(await subs.listens(r)).toBe(false);
    await addEndpoint(r);
    const e = event(r);
    await uow.run([change(r), ...webhookEventItems(T(), [e])]);
    expect(await stored(r, e)).toMatchObject({ id: e.id });
    const store = new DynamoWebhookStore(db, T());
    for (const w of await store.all(r)) await store.delete(r, w.id);
    const later = event(r);
    await uow.run([change(r), ...webhookEventItems(T(), [later])]);
    expect(await stored(r, later)).toBeUndefined();
  });

  it('an endpoint created by another process counts once the cache entry is SUBSCRIPTION_CACHE_MS old', async () => {
    let now = Date.now();
    const { uow, subs } = executor(new WebhookSubscriptions(db, T(), SUBSCRIPTION_CACHE_MS, () => now));
    const r = rid();
    expect(await subs.listens(r)).toBe(false);
    // Another process's endpoint: its counter, not this process's store.
    await db.send(new UpdateCommand({ TableName: T(), Key: keys.webhookCount(r), UpdateExpression: 'ADD #n :one', ExpressionAttributeNames: { '#n': 'count' }, ExpressionAttributeValues: { ':one': 1 } }));
    const early = event(r);
    await uow.run([change(r), ...webhookEventItems(T(), [early])]);
    expect(await stored(r, early)).toBeUndefined();
    now += SUBSCRIPTION_CACHE_MS + 1;
    const e = event(r);
    await uow.run([change(r), ...webhookEventItems(T(), [e])]);
    expect(await stored(r, e)).toMatchObject({ id: e.id });
  });

  it("a unit's own failed condition keeps its meaning and its indexes when events were dropped", async () => {
    const { uow } = executor();
    const r = rid();
    const taken = change(r);
    await uow.run([taken]);
    let failedIndexes: number[] = [];
    const refused = new ConflictError('taken', ErrorCode.CONFLICT);
    const e = event(r);
    const unit: UnitItem[] = [
      ...webhookEventItems(T(), [e]),
      {
        Put: { ...taken.Put!, ConditionExpression: 'attribute_not_exists(PK)' },
        onConditionFailed: (_current, u) => {
          failedIndexes = u.failed;
          return refused;
        },
      },
    ];
    await expect(uow.run(unit)).rejects.toBe(refused);
    // Index 1 of the unit as built (the event at index 0 was not sent).
    expect(failedIndexes).toEqual([1]);
    expect(await stored(r, e)).toBeUndefined();
  });
});
