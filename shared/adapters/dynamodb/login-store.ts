import { GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { NotFoundError } from '../../domain/errors';
import type { LoginRecord } from '../../ports/identity';
import type { LoginStore } from '../../ports/reseller-repository';
import { keys } from './keys';

export function loginItem(login: LoginRecord): Record<string, unknown> {
  return { ...keys.login(login.username), type: 'login', ...login };
}

export class DynamoLoginStore implements LoginStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async get(username: string): Promise<LoginRecord | undefined> {
    const out = await this.db.send(new GetCommand({ TableName: this.tableName, Key: keys.login(username) }));
    if (!out.Item) return undefined;
    const { username: u, role, resellerId, locked, passwordHash } = out.Item;
    return { username: u, role, resellerId, locked: Boolean(locked), passwordHash };
  }

  async createIfAbsent(login: LoginRecord): Promise<boolean> {
    try {
      await this.db.send(
        new PutCommand({ TableName: this.tableName, Item: loginItem(login), ConditionExpression: 'attribute_not_exists(PK)' }),
      );
      return true;
    } catch (e) {
      if (e instanceof ConditionalCheckFailedException) return false;
      throw e;
    }
  }

  setPasswordHash(username: string, hash: string): Promise<void> {
    return this.set(username, 'passwordHash', hash);
  }

  setLocked(username: string, locked: boolean): Promise<void> {
    return this.set(username, 'locked', locked);
  }

  private async set(username: string, field: string, value: unknown): Promise<void> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.login(username),
          UpdateExpression: 'SET #f = :v',
          ConditionExpression: 'attribute_exists(PK)',
          ExpressionAttributeNames: { '#f': field },
          ExpressionAttributeValues: { ':v': value },
        }),
      );
    } catch (e) {
      if (e instanceof ConditionalCheckFailedException) throw new NotFoundError('login not found');
      throw e;
    }
  }
}
