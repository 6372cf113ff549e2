import { type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ConflictError, ErrorCode, NotFoundError } from '../../domain/errors';
import type { IpPoolRepository, PoolIp } from '../../ports/controlpanel';
import type { Page, PageRequest } from '../../ports/page';
import { keys } from './keys';
import { queryPage } from './query-page';
import { unitOfWork, type UnitItem } from './unit-of-work';

/** The operator's pool of exclusive addresses per reseller; a global claim keeps each address with one reseller. */
export class DynamoIpPoolRepository implements IpPoolRepository {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async add(resellerId: string, ips: string[]): Promise<void> {
    const T = this.tableName;
    await unitOfWork(this.db).run([
      // The reseller must exist: the pool belongs to a reseller's world.
      {
        ConditionCheck: { TableName: T, Key: keys.reseller(resellerId), ConditionExpression: 'attribute_exists(PK)' },
        onConditionFailed: new NotFoundError('reseller not found'),
      },
      ...ips.flatMap((ip, n): UnitItem[] => [
        {
          Put: { TableName: T, Item: { ...keys.ipClaim(ip), type: 'ipClaim', ip, resellerId }, ConditionExpression: 'attribute_not_exists(PK)' },
          onConditionFailed: new ConflictError(`IP ${ip} is already given to a reseller`, ErrorCode.IP_TAKEN, { [`ips[${n}]`]: 'is already given to a reseller' }),
        },
        { Put: { TableName: T, Item: { ...keys.poolIp(resellerId, ip), type: 'poolIp', ip } } },
      ]),
    ]);
  }

  async list(resellerId: string, page: PageRequest): Promise<Page<PoolIp>> {
    return queryPage(this.db, this.tableName, {
      partition: keys.partitionOf(resellerId),
      prefix: keys.poolIpPrefix,
      page,
      map: (i) => ({ ip: String(i.ip), assignedTo: (i.assignedTo as string | undefined) ?? null }),
    });
  }

  async remove(resellerId: string, ip: string): Promise<void> {
    const T = this.tableName;
    await unitOfWork(this.db).run([
      {
        Delete: {
          TableName: T,
          Key: keys.poolIp(resellerId, ip),
          ConditionExpression: 'attribute_exists(PK) AND attribute_not_exists(assignedTo)',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        },
        onConditionFailed: (current) => {
          if (!current) return new NotFoundError('IP not in this pool');
          return new ConflictError(`IP ${ip} is assigned to ${current.assignedTo}`, ErrorCode.IP_ASSIGNED, { ip: `is assigned to ${current.assignedTo}` });
        },
      },
      {
        Delete: { TableName: T, Key: keys.ipClaim(ip), ConditionExpression: 'resellerId = :r', ExpressionAttributeValues: { ':r': resellerId } },
        // The pool item exists but the claim is another's: the pool item is stale, i.e. not this reseller's IP.
        onConditionFailed: new NotFoundError('IP not in this pool'),
      },
    ]);
  }
}
