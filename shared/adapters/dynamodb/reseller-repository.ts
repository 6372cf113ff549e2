import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ConcurrentChangeError, ConflictError, ErrorCode, NotFoundError, ValidationError } from '../../domain/errors';
import type { Reseller } from '../../domain/reseller';
import type { LoginRecord } from '../../ports/identity';
import type { Page, PageRequest } from '../../ports/page';
import type { ResellerPatch, ResellerRepository } from '../../ports/reseller-repository';
import { keys } from './keys';
import { queryPage } from './query-page';
import { loginItem } from './login-store';
import { unitOfWork, type UnitItem } from './unit-of-work';

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
    const taken = new ConflictError(`username ${login.username} is taken`, ErrorCode.USERNAME_TAKEN, { username: 'is taken' });
    await unitOfWork(this.db).run([
      { Put: { TableName: this.tableName, Item: loginItem(login), ConditionExpression: 'attribute_not_exists(PK)' }, onConditionFailed: taken },
      {
        Put: {
          TableName: this.tableName,
          Item: { ...keys.reseller(reseller.id), ...keys.resellerIndex(reseller.username), type: 'reseller', ...reseller },
          ConditionExpression: 'attribute_not_exists(PK)',
        },
        onConditionFailed: taken,
      },
    ]);
  }

  async get(resellerId: string): Promise<Reseller | undefined> {
    const out = await this.db.send(new GetCommand({ TableName: this.tableName, Key: keys.reseller(resellerId) }));
    return out.Item ? toReseller(out.Item) : undefined;
  }

  async getVersioned(resellerId: string): Promise<{ reseller: Reseller; version: number } | undefined> {
    const out = await this.db.send(new GetCommand({ TableName: this.tableName, Key: keys.reseller(resellerId), ConsistentRead: true }));
    return out.Item ? { reseller: toReseller(out.Item), version: Number(out.Item.version ?? 0) } : undefined;
  }

  async list(page: PageRequest): Promise<Page<Reseller>> {
    return queryPage(this.db, this.tableName, { gsi1: true, partition: keys.resellerIndexPartition, page, map: toReseller });
  }

  async update(resellerId: string, patch: ResellerPatch, at: Date): Promise<Reseller> {
    const { expectedVersion, requireSkin, ...fields } = patch;
    const names: Record<string, string> = { '#updatedAt': 'updatedAt', '#version': 'version' };
    const values: Record<string, unknown> = { ':updatedAt': at.toISOString(), ':one': 1 };
    const sets = ['#updatedAt = :updatedAt'];
    let condition = 'attribute_exists(PK)';
    if (expectedVersion !== undefined) {
      // Profiles written before versions existed are at version 0.
      condition += expectedVersion === 0 ? ' AND attribute_not_exists(#version)' : ' AND #version = :expected';
      if (expectedVersion !== 0) values[':expected'] = expectedVersion;
    }
    for (const [field, value] of Object.entries(fields)) {
      if (value === undefined) continue;
      names[`#${field}`] = field;
      values[`:${field}`] = value;
      sets.push(`#${field} = :${field}`);
    }
    // A design chosen from the reseller's skins: the skin must still exist when this is written.
    const skinCheck: UnitItem[] = requireSkin
      ? [
          {
            ConditionCheck: { TableName: this.tableName, Key: keys.skin(resellerId, requireSkin), ConditionExpression: 'attribute_exists(PK)' },
            onConditionFailed: ValidationError.field('design', 'is neither a built-in design nor one of your skins'),
          },
        ]
      : [];
    const out = await unitOfWork(this.db).run(
      [
        ...skinCheck,
        {
          Update: {
            TableName: this.tableName,
            Key: keys.reseller(resellerId),
            UpdateExpression: `SET ${sets.join(', ')} ADD #version :one`,
            ConditionExpression: condition,
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: values,
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          },
          onConditionFailed: (current) =>
            current ? new ConcurrentChangeError('the reseller was changed meanwhile; read it again') : new NotFoundError('reseller not found'),
        },
      ],
      { returnValues: 'ALL_NEW' },
    );
    if (skinCheck.length) {
      // A transaction returns no attributes: read what was written.
      const read = await this.db.send(new GetCommand({ TableName: this.tableName, Key: keys.reseller(resellerId), ConsistentRead: true }));
      return toReseller(read.Item ?? {});
    }
    return toReseller(out ?? {});
  }
}
