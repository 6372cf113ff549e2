/**
 * Webhook events only for resellers that have an endpoint (docs/webhooks.md "Cost"). Most resellers
 * never register one, and an event costs its item and index entry, a queue message and a fan-out
 * (two reads and an update) although no one receives it: at a million accounts billed a day that
 * is most of the billing run's writes. The executor's filter drops the events of a unit whose
 * reseller has no endpoint (its counter at 0, read consistently and kept for SUBSCRIPTION_CACHE_MS).
 * No condition guards that in the unit: a check of the counter in every transaction would make it
 * one hot item per reseller (concurrent transactions on one item conflict). So an endpoint is sure
 * to get the events of changes from SUBSCRIPTION_CACHE_MS after its creation on; in the process that
 * created it (the whole embedded runtime) at once.
 */
import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { keys } from './keys';
import type { UnitFilter, UnitItem } from './unit-of-work';
import { endpointChangeOf, webhookEventReseller } from './webhook-store';

export const SUBSCRIPTION_CACHE_MS = 30_000;

export class WebhookSubscriptions {
  private readonly known = new Map<string, { listens: boolean; until: number; seq: number }>();

  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly cacheMs = SUBSCRIPTION_CACHE_MS,
    private readonly now: () => number = Date.now,
  ) {}

  /** Whether the reseller has an endpoint (its counter above 0), from the cache while it is fresh. */
  async listens(resellerId: string): Promise<boolean> {
    const hit = this.known.get(resellerId);
    const seq = endpointChangeOf(resellerId);
    if (hit && hit.until > this.now() && hit.seq === seq) return hit.listens;
    const out = await this.db.send(
      new GetCommand({
        TableName: this.tableName,
        Key: keys.webhookCount(resellerId),
        ProjectionExpression: '#n',
        ExpressionAttributeNames: { '#n': 'count' },
        ConsistentRead: true,
      }),
    );
    const listens = Number(out.Item?.count ?? 0) > 0;
    this.known.set(resellerId, { listens, until: this.now() + this.cacheMs, seq });
    return listens;
  }

  /** The executor's filter (UnitOfWork.useFilter). */
  readonly filter: UnitFilter = async (items) => {
    const resellers = [...new Set(items.flatMap((op) => webhookEventReseller(op) ?? []))];
    if (!resellers.length) return undefined;
    const listening = await Promise.all(resellers.map((r) => this.listens(r)));
    const quiet = new Set(resellers.filter((_r, i) => !listening[i]));
    if (!quiet.size) return undefined;
    const kept: UnitItem[] = [];
    const origin: number[] = [];
    items.forEach((op, i) => {
      const r = webhookEventReseller(op);
      if (r !== undefined && quiet.has(r)) return;
      kept.push(op);
      origin.push(i);
    });
    return { items: kept, origin };
  };
}
