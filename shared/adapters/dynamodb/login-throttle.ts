import { DeleteCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ThrottleCount, ThrottleScope } from '../../domain/login-throttle';
import type { LoginThrottle } from '../../ports/login-throttle';
import { keys, TABLE } from './keys';

const isConditionFailed = (e: unknown) => (e as Error).name === 'ConditionalCheckFailedException';

/**
 * One item per subject: the start of its window and the attempts in it. Counting is one atomic ADD
 * while the window is open; the first attempt after it closed opens a new one (a second write,
 * conditional, so two processes cannot both reset it). The TTL removes items a window after theirs.
 */
export class DynamoLoginThrottle implements LoginThrottle {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async count(scope: ThrottleScope, subject: string, now: Date, windowSeconds: number): Promise<ThrottleCount> {
    const key = keys.loginAttempts(scope, subject);
    const nowSeconds = Math.floor(now.getTime() / 1000);
    for (let tries = 0; ; tries++) {
      try {
        const out = await this.db.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: key,
            UpdateExpression: 'ADD attempts :one',
            ConditionExpression: 'windowStart > :cutoff',
            ExpressionAttributeValues: { ':one': 1, ':cutoff': nowSeconds - windowSeconds },
            ReturnValues: 'ALL_NEW',
          }),
        );
        return { attempts: Number(out.Attributes?.attempts), windowEndsAt: Number(out.Attributes?.windowStart) + windowSeconds };
      } catch (e) {
        if (!isConditionFailed(e) || tries > 3) throw e;
      }
      try {
        await this.db.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: key,
            UpdateExpression: 'SET windowStart = :now, attempts = :one, #ttl = :ttl, #type = :type',
            ConditionExpression: 'attribute_not_exists(windowStart) OR windowStart <= :cutoff',
            ExpressionAttributeNames: { '#ttl': TABLE.ttlAttribute, '#type': 'type' },
            ExpressionAttributeValues: { ':now': nowSeconds, ':one': 1, ':cutoff': nowSeconds - windowSeconds, ':ttl': nowSeconds + 2 * windowSeconds, ':type': 'login-attempts' },
          }),
        );
        return { attempts: 1, windowEndsAt: nowSeconds + windowSeconds };
      } catch (e) {
        // Another process opened the window first: count in it.
        if (!isConditionFailed(e)) throw e;
      }
    }
  }

  async succeeded(username: string, address: string): Promise<void> {
    await Promise.all([
      this.db.send(new DeleteCommand({ TableName: this.tableName, Key: keys.loginAttempts('username', username) })),
      this.db
        .send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: keys.loginAttempts('address', address),
            UpdateExpression: 'ADD attempts :minus',
            ConditionExpression: 'attempts > :zero',
            ExpressionAttributeValues: { ':minus': -1, ':zero': 0 },
          }),
        )
        .catch((e: unknown) => {
          if (!isConditionFailed(e)) throw e;
        }),
    ]);
  }
}
