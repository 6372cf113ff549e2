import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ConcurrentChangeError } from '../../domain/errors';
import type { BillingRepository, BillingWrite, StoredAccount, StoredLine, StoredPlan } from '../../ports/billing-repository';
import { ReferenceTakenError, StaleAccountError } from '../../ports/billing-repository';
import type { Page, PageRequest } from '../../ports/page';
import { keys } from './keys';
import { queryPage } from './query-page';
import { messageItem } from './message-log';
import { pendingUpdate } from './provisioning-repository';
import { webhookEventItems } from './webhook-store';
import { unitOfWork, type UnitItem } from './unit-of-work';
import { completionItem } from './idempotency-store';

const SHARDS = 8;

function accountFromItem(i: Record<string, unknown>): StoredAccount {
  return {
    resellerId: i.resellerId as string,
    username: i.username as string,
    templateId: i.templateId as string,
    state: JSON.parse(i.state as string),
    appliedChanges: i.appliedChanges as number,
    version: i.version as number,
    usageThrough: (i.usageThrough as string | undefined) ?? null,
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
  ];
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
