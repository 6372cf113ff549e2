/**
 * Webhook events only for resellers that have an endpoint (docs/webhooks.md "Cost"). Most resellers
 * never register one, and an event costs its item and index entry, a queue message and a fan-out
 * (two reads and an update) although no one receives it: at a million accounts billed a day that
 * is most of the billing run's writes. The executor's filter drops the events of a unit whose
 * reseller has no endpoint and puts one ConditionCheck on the reseller's endpoint counter in their
 * place ("still none"), so an endpoint created meanwhile cancels the unit, which is sent again with
 * its events: an endpoint gets every event of the changes committed after its own creation.
 * What a reseller has is cached in the process for a minute (a stale "none" costs one retry; a
 * stale "some" the events' usual cost).
 */
import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { keys } from './keys';
import { RETRY, type UnitFilter, type UnitItem } from './unit-of-work';
import { webhookEventReseller } from './webhook-store';

export const SUBSCRIPTION_CACHE_MS = 60_000;

export class WebhookSubscriptions {
  private readonly known = new Map<string, { listens: boolean; until: number }>();

  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly cacheMs = SUBSCRIPTION_CACHE_MS,
    private readonly now: () => number = Date.now,
  ) {}

  /** Whether the reseller has an endpoint (its counter above 0), from the cache while it is fresh. */
  async listens(resellerId: string): Promise<boolean> {
    const hit = this.known.get(resellerId);
    if (hit && hit.until > this.now()) return hit.listens;
    const out = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: keys.webhookCount(resellerId), ProjectionExpression: '#n', ExpressionAttributeNames: { '#n': 'count' } }),
    );
    const listens = Number(out.Item?.count ?? 0) > 0;
    this.known.set(resellerId, { listens, until: this.now() + this.cacheMs });
    return listens;
  }

  forget(resellerId: string): void {
    this.known.delete(resellerId);
  }

  /** The executor's filter (UnitOfWork.useFilter). */
  readonly filter: UnitFilter = async (items) => {
    const resellers = [...new Set(items.flatMap((op) => webhookEventReseller(op) ?? []))];
    if (!resellers.length) return undefined;
    // A unit that already writes the counter (none does today) keeps its events: one item, one operation.
    const keyOf = (k: { PK?: unknown; SK?: unknown } | undefined) => (k ? `${String(k.PK)} ${String(k.SK)}` : undefined);
    const touched = new Set(items.map((op) => keyOf(op.Put?.Item ?? op.Update?.Key ?? op.Delete?.Key ?? op.ConditionCheck?.Key)));
    const listening = await Promise.all(resellers.map((r) => this.listens(r)));
    const quiet = new Set(resellers.filter((r, i) => !listening[i] && !touched.has(keyOf(keys.webhookCount(r)))));
    if (!quiet.size) return undefined;
    const kept: UnitItem[] = [];
    const origin: number[] = [];
    items.forEach((op, i) => {
      const r = webhookEventReseller(op);
      if (r !== undefined && quiet.has(r)) return;
      kept.push(op);
      origin.push(i);
    });
    for (const r of quiet) {
      kept.push({
        ConditionCheck: {
          TableName: this.tableName,
          Key: keys.webhookCount(r),
          ConditionExpression: 'attribute_not_exists(#n) OR #n <= :zero',
          ExpressionAttributeNames: { '#n': 'count' },
          ExpressionAttributeValues: { ':zero': 0 },
        },
        // An endpoint arrived since the cache was filled: send the unit again, events and all.
        onConditionFailed: () => {
          this.forget(r);
          return RETRY;
        },
      });
      origin.push(-1);
    }
    return { items: kept, origin };
  };
}
