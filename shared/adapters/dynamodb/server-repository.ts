import { BatchGetCommand, GetCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ConflictError, ErrorCode, NotFoundError } from '../../domain/errors';
import type { Server, ServerPatch, ServerRepository } from '../../ports/servers';
import type { Page, PageRequest } from '../../ports/page';
import { keys, TABLE } from './keys';
import { queryPage } from './query-page';
import { unitOfWork, type UnitItem } from './unit-of-work';

/** The condition-failed verdict of createIfAbsent: the server exists. */
class ServerExists extends Error {}

const FIELDS = ['id', 'name', 'instanceId', 'addresses', 'capacity', 'users', 'isDefault', 'createdAt', 'updatedAt'] as const;

export function toServer(i: Record<string, unknown>): Server {
  const s = Object.fromEntries(FIELDS.map((f) => [f, i[f] ?? null])) as unknown as Server;
  return { ...s, users: Number(i.users ?? 0), capacity: Number(i.capacity ?? -1), addresses: (i.addresses as string[]) ?? [], isDefault: i.isDefault === true };
}

const serverItem = (s: Server) => ({ ...keys.server(s.id), ...keys.serverIndex(s.id), type: 'server', ...s });

/**
 * Managed hosting servers: `SERVER#<id>` partitions (profile, `RESELLER#` and `USER#` entries),
 * listed through GSI1 `SERVERS`; a reseller's assignment is one item `R#<id>` / `SERVERS`.
 */
export class DynamoServerRepository implements ServerRepository {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async list(): Promise<Server[]> {
    const out: Server[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: TABLE.gsi1.indexName,
          KeyConditionExpression: '#pk = :pk',
          ExpressionAttributeNames: { '#pk': TABLE.gsi1.partitionKey },
          ExpressionAttributeValues: { ':pk': keys.serverIndexPartition },
          ExclusiveStartKey: start,
        }),
      );
      out.push(...(page.Items ?? []).map(toServer));
      start = page.LastEvaluatedKey;
    } while (start);
    return out;
  }

  listPage(page: PageRequest): Promise<Page<Server>> {
    return queryPage(this.db, this.tableName, { gsi1: true, partition: keys.serverIndexPartition, page, map: toServer });
  }

  async get(serverId: string): Promise<Server | undefined> {
    const out = await this.db.send(new GetCommand({ TableName: this.tableName, Key: keys.server(serverId), ConsistentRead: true }));
    return out.Item ? toServer(out.Item) : undefined;
  }

  async getMany(serverIds: string[]): Promise<Server[]> {
    if (!serverIds.length) return [];
    const out = await this.db.send(
      new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: serverIds.map((id) => keys.server(id)), ConsistentRead: true } } }),
    );
    const found = (out.Responses?.[this.tableName] ?? []).map(toServer);
    const missing = (out.UnprocessedKeys?.[this.tableName]?.Keys ?? []).length;
    if (missing) {
      for (const id of serverIds.filter((id) => !found.some((s) => s.id === id))) {
        const s = await this.get(id);
        if (s) found.push(s);
      }
    }
    return serverIds.map((id) => found.find((s) => s.id === id)).filter((s): s is Server => !!s);
  }

  async create(server: Server): Promise<void> {
    if (!(await this.createIfAbsent(server))) throw new ConflictError(`server ${server.id} exists`, ErrorCode.SERVER_EXISTS, { id: 'is taken' });
  }

  async createIfAbsent(server: Server): Promise<boolean> {
    try {
      await unitOfWork(this.db).run([
        { Put: { TableName: this.tableName, Item: serverItem(server), ConditionExpression: 'attribute_not_exists(PK)' }, onConditionFailed: () => new ServerExists() },
      ]);
      return true;
    } catch (e) {
      if (e instanceof ServerExists) return false;
      throw e;
    }
  }

  async update(serverId: string, patch: ServerPatch, at: Date): Promise<Server> {
    const entries = Object.entries(patch).filter(([, v]) => v !== undefined);
    const names: Record<string, string> = { '#at': 'updatedAt' };
    const values: Record<string, unknown> = { ':at': at.toISOString() };
    const sets = ['#at = :at'];
    entries.forEach(([k, v], i) => {
      names[`#f${i}`] = k;
      values[`:v${i}`] = v;
      sets.push(`#f${i} = :v${i}`);
    });
    const out = await unitOfWork(this.db).run(
      [
        {
          Update: {
            TableName: this.tableName,
            Key: keys.server(serverId),
            UpdateExpression: `SET ${sets.join(', ')}`,
            ConditionExpression: 'attribute_exists(PK)',
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: values,
          },
          onConditionFailed: new NotFoundError('server not found'),
        },
      ],
      { returnValues: 'ALL_NEW' },
    );
    return toServer(out ?? {});
  }

  async serversOf(resellerId: string): Promise<string[]> {
    const out = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: keys.resellerServers(resellerId), ConsistentRead: true }),
    );
    return (out.Item?.serverIds as string[] | undefined) ?? [];
  }

  async assign(resellerId: string, serverIds: string[]): Promise<void> {
    const ids = [...new Set(serverIds)];
    const before = await this.serversOf(resellerId);
    const T = this.tableName;
    // The assignment item is written only if it still lists what was read (no lost concurrent assignment).
    const unchanged = before.length
      ? { ConditionExpression: 'serverIds = :before', ExpressionAttributeValues: { ':before': before } }
      : { ConditionExpression: 'attribute_not_exists(serverIds) OR size(serverIds) = :zero', ExpressionAttributeValues: { ':zero': 0 } };
    const items: UnitItem[] = [
      { Put: { TableName: T, Item: { ...keys.resellerServers(resellerId), type: 'resellerServers', serverIds: ids }, ...unchanged } },
      ...ids.map(
        (id, n): UnitItem => ({
          ConditionCheck: { TableName: T, Key: keys.server(id), ConditionExpression: 'attribute_exists(PK)' },
          onConditionFailed: new NotFoundError(`server ${id} not found`, { [`serverIds[${n}]`]: 'is not a registered server' }),
        }),
      ),
      ...ids
        .filter((id) => !before.includes(id))
        .map((id): UnitItem => ({ Put: { TableName: T, Item: { ...keys.serverReseller(id, resellerId), type: 'serverReseller', resellerId } } })),
      ...before.filter((id) => !ids.includes(id)).map((id): UnitItem => ({ Delete: { TableName: T, Key: keys.serverReseller(id, resellerId) } })),
    ];
    await unitOfWork(this.db).run(items);
  }

  private async queryPrefix(serverId: string, prefix: string, field: string): Promise<string[]> {
    const out: string[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :p)',
          ExpressionAttributeNames: { '#pk': TABLE.partitionKey, '#sk': TABLE.sortKey },
          ExpressionAttributeValues: { ':pk': keys.serverPartition(serverId), ':p': prefix },
          ExclusiveStartKey: start,
        }),
      );
      out.push(...(page.Items ?? []).map((i) => String(i[field])));
      start = page.LastEvaluatedKey;
    } while (start);
    return out;
  }

  resellersOf(serverId: string): Promise<string[]> {
    return this.queryPrefix(serverId, keys.serverResellerPrefix, 'resellerId');
  }

  /** Hosted users placed on the server (with their reseller), including deletes not pushed yet. */
  async usersOf(serverId: string): Promise<{ resellerId: string; username: string }[]> {
    const names = await this.queryPrefix(serverId, keys.serverUserPrefix, 'ref');
    return names.map((ref) => {
      const [resellerId, username] = ref.split('/') as [string, string];
      return { resellerId, username };
    });
  }
}
