import { GetCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ApiClientRecord, ApiClientStore } from '../../ports/api-clients';
import { ConflictError } from '../../domain/errors';
import { keys } from './keys';
import { unitOfWork } from './unit-of-work';

const fromItem = (i: Record<string, unknown>): ApiClientRecord => ({
  clientId: i.clientId as string,
  resellerId: i.resellerId as string,
  name: i.name as string,
  scopes: i.scopes as ApiClientRecord['scopes'],
  createdAt: i.createdAt as string,
  ...(typeof i.secretHash === 'string' ? { secretHash: i.secretHash } : {}),
});

/** API clients in the table: the reseller's list item (no secret hash) and the global item by id. */
export class DynamoApiClientStore implements ApiClientStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async put(record: ApiClientRecord): Promise<void> {
    const { secretHash, ...listed } = record;
    const T = this.tableName;
    await unitOfWork(this.db).run([
      {
        Put: { TableName: T, Item: { ...keys.apiClient(record.resellerId, record.clientId), type: 'apiClient', ...listed }, ConditionExpression: 'attribute_not_exists(PK)' },
        onConditionFailed: new ConflictError('an API client with this id exists'),
      },
      {
        Put: {
          TableName: T,
          Item: { ...keys.apiClientById(record.clientId), type: 'apiClientById', ...listed, ...(secretHash ? { secretHash } : {}) },
          ConditionExpression: 'attribute_not_exists(PK)',
        },
        onConditionFailed: new ConflictError('an API client with this id exists'),
      },
    ]);
  }

  async list(resellerId: string): Promise<ApiClientRecord[]> {
    const out: ApiClientRecord[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'PK = :pk AND begins_with(SK, :p)',
          ExpressionAttributeValues: { ':pk': keys.apiClient(resellerId, '').PK, ':p': keys.apiClientPrefix },
          ExclusiveStartKey: start,
        }),
      );
      out.push(...(page.Items ?? []).map(fromItem));
      start = page.LastEvaluatedKey;
    } while (start);
    return out;
  }

  async get(resellerId: string, clientId: string): Promise<ApiClientRecord | undefined> {
    const out = await this.db.send(new GetCommand({ TableName: this.tableName, Key: keys.apiClient(resellerId, clientId), ConsistentRead: true }));
    return out.Item ? fromItem(out.Item) : undefined;
  }

  async lookup(clientId: string): Promise<ApiClientRecord | undefined> {
    const out = await this.db.send(new GetCommand({ TableName: this.tableName, Key: keys.apiClientById(clientId), ConsistentRead: true }));
    return out.Item ? fromItem(out.Item) : undefined;
  }

  async remove(resellerId: string, clientId: string): Promise<boolean> {
    const T = this.tableName;
    const gone = new ConflictError('the API client is gone');
    try {
      await unitOfWork(this.db).run([
        { Delete: { TableName: T, Key: keys.apiClient(resellerId, clientId), ConditionExpression: 'attribute_exists(PK)' }, onConditionFailed: gone },
        {
          Delete: { TableName: T, Key: keys.apiClientById(clientId), ConditionExpression: 'resellerId = :r', ExpressionAttributeValues: { ':r': resellerId } },
          onConditionFailed: gone,
        },
      ]);
      return true;
    } catch (e) {
      if (e === gone) return false;
      throw e;
    }
  }
}
