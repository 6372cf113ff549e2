import { PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { randomUUID } from 'node:crypto';
import type { Message, MessageLog, MessageType } from '../../ports/message-log';
import type { Page, PageRequest } from '../../ports/page';
import { keys, TABLE } from './keys';
import { queryPage } from './query-page';

/** Messages are kept a year, then DynamoDB's TTL removes them. */
const RETENTION_SECONDS = 365 * 24 * 3600;

export class DynamoMessageLog implements MessageLog {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async write(resellerId: string, message: Omit<Message, 'id' | 'at'>, at: Date): Promise<Message> {
    const full: Message = { id: randomUUID(), at: at.toISOString(), ...message };
    await this.db.send(new PutCommand({ TableName: this.tableName, Item: messageItem(resellerId, full) }));
    return full;
  }

  async list(resellerId: string, filter: { type?: MessageType } & PageRequest): Promise<Page<Message>> {
    // All types from the table; one type from GSI1, where each type has a partition of its own.
    const byType = filter.type !== undefined;
    return queryPage(this.db, this.tableName, {
      gsi1: byType,
      partition: byType ? keys.messageTypePartition(resellerId, filter.type as MessageType) : keys.messagePartition(resellerId),
      page: filter,
      newestFirst: true,
      map: (i) => ({
        id: i.id as string,
        at: i.at as string,
        type: i.messageType as MessageType,
        text: i.text as string,
        ...(i.subject ? { subject: i.subject as Record<string, string> } : {}),
      }),
    });
  }
}

/** Exported so use cases can add a message to a transaction that also changes what it describes. */
export function messageItem(resellerId: string, m: Message): Record<string, unknown> {
  return {
    ...keys.message(resellerId, m.at, m.id),
    ...keys.messageByType(resellerId, m.type, m.at, m.id),
    type: 'message',
    id: m.id,
    at: m.at,
    messageType: m.type,
    text: m.text,
    subject: m.subject,
    [TABLE.ttlAttribute]: Math.floor(Date.parse(m.at) / 1000) + RETENTION_SECONDS,
  };
}
