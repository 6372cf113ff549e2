import type { WebhookEvent } from '../../domain/webhooks';
import { webhookEventItems } from './webhook-store';
import { BatchGetCommand, GetCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ProvisioningState } from '../../domain/provisioning/status';
import type { Message } from '../../ports/message-log';
import type { DueEntry, ProvisioningRepository, ProvisioningSettings } from '../../ports/provisioning';
import { keys, TABLE } from './keys';
import { messageItem } from './message-log';
import { RETRY, unitOfWork, type UnitItem } from './unit-of-work';

/** The verdict of a failed sequence (or existence) condition: another push or change came first. */
class Superseded extends Error {}
const superseded = () => new Superseded();

/** Runs a unit whose first item's condition failing means "superseded": false instead of an error. */
async function unlessSuperseded(db: DynamoDBDocumentClient, build: UnitItem[] | (() => UnitItem[])): Promise<boolean> {
  try {
    await unitOfWork(db).run(build);
    return true;
  } catch (e) {
    if (e instanceof Superseded) return false;
    throw e;
  }
}

/**
 * The Update that makes a user's provisioning pending with a new sequence, due at `at`: used in the
 * transaction of every change of the user (user-repository.ts) and by the operator's re-push.
 */
export function pendingUpdate(
  tableName: string,
  resellerId: string,
  username: string,
  at: string,
  opts: { serverId?: string; deleted?: boolean; condition?: string; billingLocked?: boolean } = {},
) {
  const q = keys.provisioningQueue(resellerId, username, at);
  const names: Record<string, string> = {
    '#seq': 'sequence',
    '#st': 'status',
    '#type': 'type',
    '#gpk': TABLE.gsi1.partitionKey,
    '#gsk': TABLE.gsi1.sortKey,
  };
  const values: Record<string, unknown> = {
    ':one': 1,
    ':pending': 'pending',
    ':zero': 0,
    ':null': null,
    ':at': at,
    ':gpk': q.GSI1PK,
    ':gsk': q.GSI1SK,
    ':type': 'provisioning',
    ':r': resellerId,
    ':u': username,
  };
  const sets = [
    '#st = :pending',
    'attempts = :zero',
    'lastError = :null',
    'updatedAt = :at',
    'nextAttemptAt = :at',
    '#gpk = :gpk',
    '#gsk = :gsk',
    '#type = :type',
    'resellerId = :r',
    'username = :u',
  ];
  if (opts.serverId) {
    sets.push('serverId = :sid');
    values[':sid'] = opts.serverId;
  }
  if (opts.deleted) {
    sets.push('deleted = :true');
    values[':true'] = true;
  }
  // The billing lock lives on the status item (never on the user, whose version the reseller's
  // changes hold): set or lifted only by the billing transaction that suspends or resumes.
  if (opts.billingLocked !== undefined) {
    sets.push('billingLocked = :bl');
    values[':bl'] = opts.billingLocked;
  }
  return {
    TableName: tableName,
    Key: keys.provisioning(resellerId, username),
    UpdateExpression: `SET ${sets.join(', ')} ADD #seq :one`,
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
    ...(opts.condition ? { ConditionExpression: opts.condition } : {}),
  };
}

export function toProvisioning(i: Record<string, unknown>): ProvisioningState {
  return {
    sequence: Number(i.sequence ?? 0),
    status: (i.status as ProvisioningState['status']) ?? 'pending',
    lastError: (i.lastError as string | null) ?? null,
    attempts: Number(i.attempts ?? 0),
    updatedAt: String(i.updatedAt ?? ''),
    nextAttemptAt: (i.nextAttemptAt as string | null) ?? null,
    serverId: (i.serverId as string | null) ?? null,
    deleted: i.deleted === true,
    billingLocked: i.billingLocked === true,
  };
}

export class DynamoProvisioningRepository implements ProvisioningRepository, ProvisioningSettings {
  readonly shards = keys.provisioningShards;

  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async due(shard: number, now: Date, limit: number): Promise<DueEntry[]> {
    const out = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: TABLE.gsi1.indexName,
        KeyConditionExpression: '#pk = :pk AND #sk <= :upto',
        ExpressionAttributeNames: { '#pk': TABLE.gsi1.partitionKey, '#sk': TABLE.gsi1.sortKey },
        // ISO times sort as text; '~' sorts after the '#' that follows the time.
        ExpressionAttributeValues: { ':pk': keys.provisioningQueuePartition(shard), ':upto': `${now.toISOString()}~` },
        Limit: limit,
      }),
    );
    return (out.Items ?? []).map((i) => ({
      resellerId: String(i.resellerId),
      username: String(i.username),
      token: String(i[TABLE.gsi1.sortKey]),
    }));
  }

  async get(resellerId: string, username: string): Promise<ProvisioningState | undefined> {
    const out = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: keys.provisioning(resellerId, username), ConsistentRead: true }),
    );
    return out.Item ? toProvisioning(out.Item) : undefined;
  }

  async getMany(resellerId: string, usernames: string[]): Promise<Map<string, ProvisioningState>> {
    const result = new Map<string, ProvisioningState>();
    for (let i = 0; i < usernames.length; i += 100) {
      let wanted: Record<string, unknown>[] = usernames.slice(i, i + 100).map((u) => ({ ...keys.provisioning(resellerId, u) }));
      for (let round = 0; wanted.length && round < 5; round++) {
        const out = await this.db.send(new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: wanted } } }));
        for (const item of out.Responses?.[this.tableName] ?? []) result.set(String(item.username), toProvisioning(item));
        wanted = (out.UnprocessedKeys?.[this.tableName]?.Keys ?? []) as Record<string, unknown>[];
      }
    }
    return result;
  }

  async claim(resellerId: string, username: string, entry: DueEntry, sequence: number, leaseUntil: string): Promise<boolean> {
    const q = keys.provisioningQueue(resellerId, username, leaseUntil);
    return unlessSuperseded(this.db, [
      {
        Update: {
          TableName: this.tableName,
          Key: keys.provisioning(resellerId, username),
          UpdateExpression: 'SET #gsk = :lease, nextAttemptAt = :until',
          ConditionExpression: '#seq = :seq AND #gsk = :token',
          ExpressionAttributeNames: { '#gsk': TABLE.gsi1.sortKey, '#seq': 'sequence' },
          ExpressionAttributeValues: { ':lease': q.GSI1SK, ':until': leaseUntil, ':seq': sequence, ':token': entry.token },
        },
        onConditionFailed: superseded,
      },
    ]);
  }

  async markApplied(
    resellerId: string,
    username: string,
    sequence: number,
    at: string,
    opts: { serverId: string; deleted: boolean; message?: Message; events?: WebhookEvent[] },
  ): Promise<boolean> {
    const T = this.tableName;
    const key = keys.provisioning(resellerId, username);
    const cond = {
      ConditionExpression: '#seq = :seq',
      ExpressionAttributeNames: { '#seq': 'sequence' } as Record<string, string>,
      ExpressionAttributeValues: { ':seq': sequence } as Record<string, unknown>,
    };
    const items: UnitItem[] = [];
    // The server's slot count is already 0 (or the server is gone): remove the rest anyway.
    let withSlot = true;
    if (opts.deleted) {
      // The delete is on the server: the status goes, and so do the server's user entry and slot.
      items.push({ Delete: { TableName: T, Key: key, ...cond }, onConditionFailed: superseded });
      items.push({ Delete: { TableName: T, Key: keys.serverUser(opts.serverId, username) } });
      items.push({
        Update: {
          TableName: T,
          Key: keys.server(opts.serverId),
          UpdateExpression: 'ADD #users :minus',
          ConditionExpression: 'attribute_exists(PK) AND #users > :zero',
          ExpressionAttributeNames: { '#users': 'users' },
          ExpressionAttributeValues: { ':minus': -1, ':zero': 0 },
        },
        onConditionFailed: () => {
          withSlot = false;
          return RETRY;
        },
      });
    } else {
      items.push({
        onConditionFailed: superseded,
        Update: {
          TableName: T,
          Key: key,
          UpdateExpression:
            'SET #st = :applied, lastError = :null, attempts = :zero, updatedAt = :at, nextAttemptAt = :null, serverId = if_not_exists(serverId, :sid) REMOVE #gpk, #gsk',
          ...cond,
          ExpressionAttributeNames: { ...cond.ExpressionAttributeNames, '#st': 'status', '#gpk': TABLE.gsi1.partitionKey, '#gsk': TABLE.gsi1.sortKey },
          ExpressionAttributeValues: { ...cond.ExpressionAttributeValues, ':applied': 'applied', ':null': null, ':zero': 0, ':at': at, ':sid': opts.serverId },
        },
      });
    }
    if (opts.message) items.push({ Put: { TableName: T, Item: messageItem(resellerId, opts.message) } });
    items.push(...webhookEventItems(T, opts.events));
    return unlessSuperseded(this.db, () => (withSlot ? items : items.filter((_, i) => i !== 2)));
  }

  async markFailed(
    resellerId: string,
    username: string,
    sequence: number,
    at: string,
    error: string,
    retryAt: string | null,
    message?: Message,
    events?: WebhookEvent[],
  ): Promise<boolean> {
    const T = this.tableName;
    const names: Record<string, string> = { '#seq': 'sequence', '#st': 'status', '#gpk': TABLE.gsi1.partitionKey, '#gsk': TABLE.gsi1.sortKey };
    const values: Record<string, unknown> = { ':seq': sequence, ':failed': 'failed', ':applied': 'applied', ':err': error, ':one': 1, ':at': at, ':next': retryAt };
    let update = 'SET #st = :failed, lastError = :err, updatedAt = :at, nextAttemptAt = :next';
    if (retryAt) {
      const q = keys.provisioningQueue(resellerId, username, retryAt);
      values[':gpk'] = q.GSI1PK;
      values[':gsk'] = q.GSI1SK;
      update += ', #gpk = :gpk, #gsk = :gsk ADD attempts :one';
    } else {
      update += ' ADD attempts :one REMOVE #gpk, #gsk';
    }
    const items: UnitItem[] = [
      {
        onConditionFailed: superseded,
        Update: {
          TableName: T,
          Key: keys.provisioning(resellerId, username),
          UpdateExpression: update,
          ConditionExpression: '#seq = :seq AND #st <> :applied',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        },
      },
    ];
    if (message) items.push({ Put: { TableName: T, Item: messageItem(resellerId, message) } });
    items.push(...webhookEventItems(T, events));
    return unlessSuperseded(this.db, items);
  }

  async ownerOf(username: string): Promise<{ resellerId: string; deleted: boolean } | undefined> {
    const out = await this.db.send(new GetCommand({ TableName: this.tableName, Key: keys.userOwner(username), ConsistentRead: true }));
    return out.Item ? { resellerId: String(out.Item.resellerId), deleted: out.Item.deleted === true } : undefined;
  }

  async leaseServer(serverId: string, holder: string, until: string, now: string): Promise<boolean> {
    return unlessSuperseded(this.db, [
      {
        Update: {
          TableName: this.tableName,
          Key: keys.serverPushLease(serverId),
          UpdateExpression: 'SET #type = :type, holder = :h, #until = :until',
          ConditionExpression: 'attribute_not_exists(PK) OR holder = :h OR #until < :now',
          ExpressionAttributeNames: { '#type': 'type', '#until': 'until' },
          ExpressionAttributeValues: { ':type': 'pushLease', ':h': holder, ':until': until, ':now': now },
        },
        onConditionFailed: superseded,
      },
    ]);
  }

  async releaseServer(serverId: string, holder: string): Promise<void> {
    // Another holder took the lease meanwhile: it is theirs to release.
    await unlessSuperseded(this.db, [
      {
        Delete: { TableName: this.tableName, Key: keys.serverPushLease(serverId), ConditionExpression: 'holder = :h', ExpressionAttributeValues: { ':h': holder } },
        onConditionFailed: superseded,
      },
    ]);
  }

  async bump(resellerId: string, username: string, at: string): Promise<boolean> {
    // Only for a user that exists, or whose delete has not been pushed yet (the status item is there).
    const user = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: keys.user(resellerId, username), ConsistentRead: true, ProjectionExpression: 'PK, serverId' }),
    );
    const condition = user.Item ? undefined : 'attribute_exists(PK)';
    return unlessSuperseded(this.db, [
      {
        Update: pendingUpdate(this.tableName, resellerId, username, at, {
          condition,
          ...(user.Item?.serverId ? { serverId: String(user.Item.serverId) } : {}),
        }),
        onConditionFailed: superseded,
      },
    ]);
  }

  async getIndexPage(resellerId: string): Promise<string | null> {
    const out = await this.db.send(new GetCommand({ TableName: this.tableName, Key: keys.setting(resellerId, 'index-page') }));
    return (out.Item?.html as string | null | undefined) ?? null;
  }

  async putIndexPage(resellerId: string, html: string | null, at: string, pushRunId?: string): Promise<void> {
    await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: keys.setting(resellerId, 'index-page'),
        UpdateExpression: `SET #type = :type, html = :html, updatedAt = :at${pushRunId ? ', pushRunId = :run' : ''}`,
        ExpressionAttributeNames: { '#type': 'type' },
        ExpressionAttributeValues: { ':type': 'setting', ':html': html, ':at': at, ...(pushRunId ? { ':run': pushRunId } : {}) },
      }),
    );
  }

  async indexPagePushRun(resellerId: string): Promise<string | null> {
    const out = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: keys.setting(resellerId, 'index-page'), ProjectionExpression: 'pushRunId' }),
    );
    return (out.Item?.pushRunId as string | undefined) ?? null;
  }

}
