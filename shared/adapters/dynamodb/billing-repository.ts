import { BatchGetCommand, GetCommand, PutCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ConcurrentChangeError } from '../../domain/errors';
import type { AccountRef, BillingRepository, BillingWrite, StoredAccount, StoredLine, StoredPlan } from '../../ports/billing-repository';
import { ReferenceTakenError, StaleAccountError } from '../../ports/billing-repository';
import type { Page, PageRequest } from '../../ports/page';
import { keys, TABLE } from './keys';
import { countQuery, queryPage } from './query-page';
import { messageItem } from './message-log';
import { pendingUpdate } from './provisioning-repository';
import { webhookEventItems } from './webhook-store';
import { unitOfWork, type UnitItem } from './unit-of-work';
import { completionItem } from './idempotency-store';

const SHARDS = 8;
/** Due items stay two weeks after their day (DynamoDB's TTL removes them). */
const DUE_TTL_SECONDS = 14 * 86_400;
const dueExpiry = (day: string) => Math.floor(Date.parse(`${day}T00:00:00Z`) / 1000) + DUE_TTL_SECONDS;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function accountFromItem(i: Record<string, unknown>): StoredAccount {
  return {
    resellerId: i.resellerId as string,
    username: i.username as string,
    templateId: i.templateId as string,
    state: JSON.parse(i.state as string),
    appliedChanges: i.appliedChanges as number,
    version: i.version as number,
    usageThrough: (i.usageThrough as string | undefined) ?? null,
    ...(i.dueDay !== undefined ? { dueDay: (i.dueDay as string | null) ?? null } : {}),
    openedAt: i.openedAt as string,
    updatedAt: i.updatedAt as string,
  };
}

function lineFromItem(i: Record<string, unknown>): StoredLine {
  return {
    id: i.SK as string,
    date: i.date as string,
    resource: i.resource as string,
    type: i.lineType as StoredLine['type'],
    quantity: i.quantity as string,
    amount: i.amount as string,
    ...(i.note ? { note: i.note as string } : {}),
    ...(i.reference ? { reference: i.reference as string } : {}),
  };
}

/**
 * The items of one billing write: the account at the version read, each new ledger line only if
 * absent, the notices. Exported so a control-panel change that re-prices a user's holding goes into
 * the same transaction as the user (shared/adapters/dynamodb/user-repository.ts).
 */
export function billingTransactItems(tableName: string, w: BillingWrite, opts: { withLock?: boolean } = {}): UnitItem[] {
  const a = w.account;
  // Any failed condition (the account moved on, or a line id exists) means: reload and redo.
  const stale = () => new StaleAccountError();
  const items: UnitItem[] = [
    // References first: a repeated reference is answered with its first line, whatever else failed.
    ...(w.references ?? []).map(
      (r): UnitItem => ({
        Put: {
          TableName: tableName,
          Item: { ...keys.billingReference(a.resellerId, a.username, r.kind, r.reference), type: 'billingReference', line: r.line },
          ConditionExpression: 'attribute_not_exists(PK)',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        },
        onConditionFailed: (current) => (current?.line ? new ReferenceTakenError(current.line as StoredLine) : stale()),
      }),
    ),
    {
      Put: {
        TableName: tableName,
        Item: {
          ...keys.billingAccount(a.resellerId, a.username),
          ...keys.billingShard(a.resellerId, a.username, SHARDS),
          type: 'billingAccount',
          resellerId: a.resellerId,
          username: a.username,
          templateId: a.templateId,
          state: JSON.stringify(a.state),
          appliedChanges: a.appliedChanges,
          version: a.version,
          usageThrough: a.usageThrough ?? undefined,
          dueDay: a.dueDay === undefined ? undefined : a.dueDay,
          openedAt: a.openedAt,
          updatedAt: a.updatedAt,
        },
        ConditionExpression: w.expectedVersion === null ? 'attribute_not_exists(PK)' : 'version = :v',
        ExpressionAttributeValues: w.expectedVersion === null ? undefined : { ':v': w.expectedVersion },
      },
      onConditionFailed: stale,
    },
    ...w.lines.map((l) => ({
      Put: {
        TableName: tableName,
        Item: {
          ...keys.ledgerLine(a.resellerId, a.username, l.id),
          type: 'ledgerLine',
          date: l.date,
          resource: l.resource,
          lineType: l.type,
          quantity: l.quantity,
          amount: l.amount,
          note: l.note,
          reference: l.reference,
        },
        // A line is written once and never edited: the same id again means this work was done.
        ConditionExpression: 'attribute_not_exists(PK)',
      },
      onConditionFailed: stale,
    })),
    ...w.messages.map((m) => ({ Put: { TableName: tableName, Item: messageItem(a.resellerId, m) } })),
    ...webhookEventItems(tableName, w.events),
    // The next due day moved: the planner of that day finds the account by a key query.
    ...(w.due
      ? [
          {
            Put: {
              TableName: tableName,
              Item: {
                ...keys.billingDue(w.due, keys.billingDueShardOf(a.resellerId, a.username), a.resellerId, a.username),
                type: 'billingDue',
                resellerId: a.resellerId,
                username: a.username,
                [TABLE.ttlAttribute]: dueExpiry(w.due),
              },
            },
          },
        ]
      : []),
  ];
  // Usage days billed by this write: each marked fed once (a second feed of a day fails the whole
  // transaction, which reloads and finds it fed).
  for (const f of w.usageFed ?? []) {
    const attr = (day: string) => `d${day.slice(8, 10)}`;
    if (f.replace) {
      items.push({
        Update: {
          TableName: tableName,
          Key: keys.userUsageMonth(a.resellerId, a.username, f.month),
          UpdateExpression: 'SET #fed = :fed',
          ConditionExpression: 'attribute_exists(PK) AND attribute_not_exists(#fed)',
          ExpressionAttributeNames: { '#fed': 'fed' },
          ExpressionAttributeValues: { ':fed': Object.fromEntries([...new Set([...f.replace, ...f.days])].map((d) => [attr(d), true])) },
        },
        onConditionFailed: stale,
      });
      continue;
    }
    if (!f.days.length) continue;
    const names: Record<string, string> = { '#fed': 'fed' };
    f.days.forEach((d, i) => (names[`#d${i}`] = attr(d)));
    items.push({
      Update: {
        TableName: tableName,
        Key: keys.userUsageMonth(a.resellerId, a.username, f.month),
        UpdateExpression: `SET ${f.days.map((_, i) => `#fed.#d${i} = :t`).join(', ')}`,
        ConditionExpression: ['attribute_exists(#fed)', ...f.days.map((_, i) => `attribute_not_exists(#fed.#d${i})`)].join(' AND '),
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: { ':t': true },
      },
      onConditionFailed: stale,
    });
  }
  // Last, so that a repeated reference (the first item) decides over a claim that was taken over.
  if (w.completion) items.push(completionItem(tableName, w.completion));
  // A suspension or resumption sets the billing lock and makes the user pending for its server.
  // The user's own transaction (user-repository.ts) passes withLock: false and folds it into its
  // own status update (one item may appear once per transaction).
  if (w.billingLock && opts.withLock !== false) {
    items.push({
      Update: pendingUpdate(tableName, a.resellerId, a.username, w.billingLock.at, {
        billingLocked: w.billingLock.locked,
        condition: 'attribute_exists(PK)',
      }),
      onConditionFailed: stale,
    });
  }
  return items;
}

export class DynamoBillingRepository implements BillingRepository {
  readonly shards = SHARDS;
  readonly dueShards = keys.billingDueShards;

  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async getPlan(resellerId: string, templateId: string): Promise<StoredPlan | undefined> {
    const out = await this.db.send(new GetCommand({ TableName: this.tableName, Key: keys.plan(resellerId, templateId) }));
    if (!out.Item) return undefined;
    return {
      templateId,
      versions: JSON.parse(out.Item.versions as string),
      version: out.Item.version as number,
      updatedAt: out.Item.updatedAt as string,
    };
  }

  async putPlan(resellerId: string, plan: StoredPlan, expectedVersion: number | null): Promise<void> {
    await unitOfWork(this.db).run([
      {
        Put: {
          TableName: this.tableName,
          Item: {
            ...keys.plan(resellerId, plan.templateId),
            type: 'plan',
            templateId: plan.templateId,
            versions: JSON.stringify(plan.versions),
            version: plan.version,
            updatedAt: plan.updatedAt,
          },
          ConditionExpression: expectedVersion === null ? 'attribute_not_exists(PK)' : 'version = :v',
          ExpressionAttributeValues: expectedVersion === null ? undefined : { ':v': expectedVersion },
        },
        onConditionFailed: new ConcurrentChangeError('the plan was changed meanwhile; read it again'),
      },
    ]);
  }

  async getAccount(resellerId: string, username: string): Promise<StoredAccount | undefined> {
    const out = await this.db.send(new GetCommand({ TableName: this.tableName, Key: keys.billingAccount(resellerId, username) }));
    return out.Item ? accountFromItem(out.Item) : undefined;
  }

  async write(w: BillingWrite): Promise<void> {
    const items = billingTransactItems(this.tableName, w);
    await unitOfWork(this.db).run(items, { tooLarge: () => new Error(`billing write of ${items.length} items is over the transaction limit`) });
    if (w.completion) w.completion.claim.completed = true;
  }

  async listLedger(resellerId: string, username: string, page: PageRequest): Promise<Page<StoredLine>> {
    return queryPage(this.db, this.tableName, { partition: keys.ledgerPartition(resellerId, username), page, map: lineFromItem });
  }

  async listAccounts(shard: number, page: PageRequest): Promise<Page<StoredAccount>> {
    return queryPage(this.db, this.tableName, { gsi1: true, partition: keys.billingShardPartition(shard), page, map: accountFromItem });
  }

  dueShardOf(ref: AccountRef): number {
    return keys.billingDueShardOf(ref.resellerId, ref.username);
  }

  async listDue(day: string, shard: number, page: PageRequest): Promise<Page<AccountRef>> {
    return queryPage(this.db, this.tableName, {
      partition: keys.billingDuePartition(day, shard),
      page,
      map: (i) => ({ resellerId: i.resellerId as string, username: i.username as string }),
    });
  }

  async anyDue(day: string): Promise<boolean> {
    const shards = Array.from({ length: this.dueShards }, (_, i) => i);
    const found = await Promise.all(
      shards.map(async (shard) => {
        const out = await this.db.send(
          new QueryCommand({
            TableName: this.tableName,
            KeyConditionExpression: '#pk = :pk',
            ExpressionAttributeNames: { '#pk': TABLE.partitionKey },
            ExpressionAttributeValues: { ':pk': keys.billingDuePartition(day, shard) },
            ProjectionExpression: '#pk',
            Limit: 1,
          }),
        );
        return (out.Items?.length ?? 0) > 0;
      }),
    );
    return found.some(Boolean);
  }

  async countDue(day: string, shard: number): Promise<number> {
    return countQuery(this.db, {
      TableName: this.tableName,
      KeyConditionExpression: '#pk = :pk',
      ExpressionAttributeNames: { '#pk': TABLE.partitionKey },
      ExpressionAttributeValues: { ':pk': keys.billingDuePartition(day, shard) },
    });
  }

  async getAccounts(refs: readonly AccountRef[]): Promise<Map<string, StoredAccount>> {
    const items = await this.batchGet(refs.map((r) => keys.billingAccount(r.resellerId, r.username)), true);
    return new Map(items.map((i) => [`${i.resellerId as string}/${i.username as string}`, accountFromItem(i)]));
  }

  async getPlans(refs: readonly { resellerId: string; templateId: string }[]): Promise<Map<string, StoredPlan>> {
    const items = await this.batchGet(refs.map((r) => keys.plan(r.resellerId, r.templateId)));
    const out = new Map<string, StoredPlan>();
    for (const i of items) {
      const resellerId = (i.PK as string).slice(2);
      out.set(`${resellerId}/${i.templateId as string}`, {
        templateId: i.templateId as string,
        versions: JSON.parse(i.versions as string),
        version: i.version as number,
        updatedAt: i.updatedAt as string,
      });
    }
    return out;
  }

  /** BatchGetItem by 100 distinct keys, asking again for what DynamoDB left unprocessed. */
  private async batchGet(keyList: { PK: string; SK: string }[], consistent = false): Promise<Record<string, unknown>[]> {
    const unique = [...new Map(keyList.map((k) => [`${k.PK}\u0000${k.SK}`, k])).values()];
    const out: Record<string, unknown>[] = [];
    for (let i = 0; i < unique.length; i += 100) {
      let request: Record<string, unknown>[] | undefined = unique.slice(i, i + 100);
      for (let attempt = 0; request?.length; attempt++) {
        if (attempt > 10) throw new Error('BatchGetItem left keys unprocessed after 10 attempts');
        if (attempt) await sleep(Math.random() * Math.min(500, 20 * 2 ** attempt));
        const res = await this.db.send(new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: request, ...(consistent ? { ConsistentRead: true } : {}) } } }));
        out.push(...(res.Responses?.[this.tableName] ?? []));
        request = res.UnprocessedKeys?.[this.tableName]?.Keys as Record<string, unknown>[] | undefined;
      }
    }
    return out;
  }

  async planPageSent(runId: string, shard: number, page: number): Promise<boolean> {
    const out = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: keys.billingPlanPage(runId, shard, page), ConsistentRead: true, ProjectionExpression: 'PK' }),
    );
    return out.Item !== undefined;
  }

  async markPlanPageSent(runId: string, shard: number, page: number, expiresAt: number): Promise<void> {
    await this.db.send(
      new PutCommand({ TableName: this.tableName, Item: { ...keys.billingPlanPage(runId, shard, page), type: 'billingPlanPage', [TABLE.ttlAttribute]: expiresAt } }),
    );
  }

  async userLimits(resellerId: string, username: string): Promise<Record<string, number> | undefined> {
    const out = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: keys.user(resellerId, username), ProjectionExpression: 'limits' }),
    );
    return out.Item ? ((out.Item.limits as Record<string, number> | undefined) ?? {}) : undefined;
  }

  async templateExists(resellerId: string, templateId: string): Promise<boolean> {
    return this.exists(keys.template(resellerId, templateId));
  }

  private async exists(key: { PK: string; SK: string }): Promise<boolean> {
    const out = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: key, ProjectionExpression: 'PK' }),
    );
    return out.Item !== undefined;
  }
}
