import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ResellerStatus } from '../../domain/reseller';
import type { AccountStatus } from '../../ports/account-status';
import { keys } from './keys';

/** One strongly consistent GetItem of the profile's status (1 RCU): a lock takes effect at once. */
export class DynamoAccountStatus implements AccountStatus {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async statusOf(resellerId: string): Promise<ResellerStatus | undefined> {
    const out = await this.db.send(
      new GetCommand({
        TableName: this.tableName,
        Key: keys.reseller(resellerId),
        ConsistentRead: true,
        ProjectionExpression: '#s',
        ExpressionAttributeNames: { '#s': 'status' },
      }),
    );
    return out.Item ? (out.Item.status as ResellerStatus) : undefined;
  }
}
