import {
  GetCommand,
  TransactWriteCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { ConflictError, NotFoundError } from '../../domain/errors';
import type { Reseller } from '../../domain/reseller';
import type { LoginRecord } from '../../ports/identity';
import type { Page, PageRequest } from '../../ports/page';
import type { ResellerPatch, ResellerRepository } from '../../ports/reseller-repository';
import { keys } from './keys';
import { queryPage } from './query-page';
import { loginItem } from './login-store';

const PROFILE_FIELDS = [
  'id',
  'username',
  'email',
  'status',
  'limits',
  'hardLimits',
  'features',
  'preferences',
  'used',
  'createdAt',
  'updatedAt',
] as const;

export function toReseller(item: Record<string, unknown>): Reseller {
  const r = Object.fromEntries(PROFILE_FIELDS.map((f) => [f, item[f]])) as unknown as Reseller;
  r.used = { ...(r.used ?? {}) };
  return r;
}

export class DynamoResellerRepository implements ResellerRepository {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async create(reseller: Reseller, login: LoginRecord): Promise<void> {
    try {
      await this.db.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: this.tableName,
                Item: loginItem(login),
                ConditionExpression: 'attribute_not_exists(PK)',
              },
            },
            {
              Put: {
                TableName: this.tableName,
                Item: {
                  ...keys.reseller(reseller.id),
                  ...keys.resellerIndex(reseller.username),
                  type: 'reseller',
                  ...reseller,
                },
                ConditionExpression: 'attribute_not_exists(PK)',
              },
            },
          ],
        }),
      );
    } catch (e) {
      if (e instanceof TransactionCanceledException) {
        throw new ConflictError(`username ${login.username} is taken`, 'USERNAME_TAKEN', {
          username: 'is taken',
        });
      }
      throw e;
    }
  }

  async get(resellerId: string): Promise<Reseller | undefined> {
    const out = await this.db.send(new GetCommand({ TableName: this.tableName, Key: keys.reseller(resellerId) }));
    return out.Item ? toReseller(out.Item) : undefined;
  }

  async list(page: PageRequest): Promise<Page<Reseller>> {
    return queryPage(this.db, this.tableName, { gsi1: true, partition: keys.resellerIndexPartition, page, map: toReseller });
  }

  async update(resellerId: string, patch: ResellerPatch, at: Date): Promise<Reseller> {
    const names: Record<string, string> = { '#updatedAt': 'updatedAt' };
    const values: Record<string, unknown> = { ':updatedAt': at.toISOString() };
    const sets = ['#updatedAt = :updatedAt'];
    for (const [field, value] of Object.entries(patch)) {
      if (value === undefined) continue;
      names[`#${field}`] = field;
      values[`:${field}`] = value;
      sets.push(`#${field} = :${field}`);
    }
    try {
      const out = await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.reseller(resellerId),
          UpdateExpression: `SET ${sets.join(', ')}`,
          ConditionExpression: 'attribute_exists(PK)',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ReturnValues: 'ALL_NEW',
        }),
      );
      return toReseller(out.Attributes ?? {});
    } catch (e) {
      if (e instanceof ConditionalCheckFailedException) throw new NotFoundError('reseller not found');
      throw e;
    }
  }
}
