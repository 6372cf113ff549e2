import { GetCommand, TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { ConflictError, NotFoundError } from '../../domain/errors';
import type { IpPoolRepository, PoolIp } from '../../ports/controlpanel';
import type { Page, PageRequest } from '../../ports/page';
import { keys } from './keys';
import { queryPage } from './query-page';

/** The operator's pool of exclusive addresses per reseller; a global claim keeps each address with one reseller. */
export class DynamoIpPoolRepository implements IpPoolRepository {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async add(resellerId: string, ips: string[]): Promise<void> {
    const T = this.tableName;
    try {
      await this.db.send(
        new TransactWriteCommand({
          TransactItems: [
            // The reseller must exist: the pool belongs to a reseller's world.
            { ConditionCheck: { TableName: T, Key: keys.reseller(resellerId), ConditionExpression: 'attribute_exists(PK)' } },
            ...ips.flatMap((ip) => [
              {
                Put: {
                  TableName: T,
                  Item: { ...keys.ipClaim(ip), type: 'ipClaim', ip, resellerId },
                  ConditionExpression: 'attribute_not_exists(PK)',
                },
              },
              { Put: { TableName: T, Item: { ...keys.poolIp(resellerId, ip), type: 'poolIp', ip } } },
            ]),
          ],
        }),
      );
    } catch (e) {
      if (!(e instanceof TransactionCanceledException)) throw e;
      const reasons = e.CancellationReasons ?? [];
      if (reasons[0]?.Code === 'ConditionalCheckFailed') throw new NotFoundError('reseller not found');
      const i = reasons.findIndex((r) => r.Code === 'ConditionalCheckFailed');
      if (i > 0) {
        const n = Math.floor((i - 1) / 2);
        throw new ConflictError(`IP ${ips[n]} is already given to a reseller`, 'IP_TAKEN', { [`ips[${n}]`]: 'is already given to a reseller' });
      }
      throw new ConflictError('concurrent change; try again', 'BUSY');
    }
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
    try {
      await this.db.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Delete: {
                TableName: T,
                Key: keys.poolIp(resellerId, ip),
                ConditionExpression: 'attribute_exists(PK) AND attribute_not_exists(assignedTo)',
              },
            },
            {
              Delete: {
                TableName: T,
                Key: keys.ipClaim(ip),
                ConditionExpression: 'resellerId = :r',
                ExpressionAttributeValues: { ':r': resellerId },
              },
            },
          ],
        }),
      );
    } catch (e) {
      if (!(e instanceof TransactionCanceledException)) throw e;
      const item = await this.db.send(new GetCommand({ TableName: T, Key: keys.poolIp(resellerId, ip), ConsistentRead: true }));
      if (!item.Item) throw new NotFoundError('IP not in this pool');
      if (item.Item.assignedTo) {
        throw new ConflictError(`IP ${ip} is assigned to ${item.Item.assignedTo}`, 'IP_ASSIGNED', { ip: `is assigned to ${item.Item.assignedTo}` });
      }
      throw new ConflictError('concurrent change; try again', 'BUSY');
    }
  }
}
