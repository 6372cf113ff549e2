import { QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Page, PageRequest } from '../../ports/page';
import { decodeCursor, encodeCursor } from './cursor';
import { TABLE } from './keys';

export interface PageQuery<T> {
  /** Query GSI1 instead of the table. */
  gsi1?: boolean;
  partition: string;
  /** Only sort keys that begin with this. */
  prefix?: string;
  page: PageRequest;
  newestFirst?: boolean;
  map: (item: Record<string, unknown>) => T;
}

/**
 * One page of one partition, the way every list of the API pages: a key query (never a Scan) with
 * a cursor that is only honoured for the partition it came from.
 */
export async function queryPage<T>(db: DynamoDBDocumentClient, tableName: string, q: PageQuery<T>): Promise<Page<T>> {
  const pk = q.gsi1 ? TABLE.gsi1.partitionKey : TABLE.partitionKey;
  const sk = q.gsi1 ? TABLE.gsi1.sortKey : TABLE.sortKey;
  const out = await db.send(
    new QueryCommand({
      TableName: tableName,
      IndexName: q.gsi1 ? TABLE.gsi1.indexName : undefined,
      KeyConditionExpression: q.prefix !== undefined ? '#pk = :pk AND begins_with(#sk, :prefix)' : '#pk = :pk',
      ExpressionAttributeNames: q.prefix !== undefined ? { '#pk': pk, '#sk': sk } : { '#pk': pk },
      ExpressionAttributeValues: q.prefix !== undefined ? { ':pk': q.partition, ':prefix': q.prefix } : { ':pk': q.partition },
      ScanIndexForward: !q.newestFirst,
      Limit: q.page.limit,
      ExclusiveStartKey: decodeCursor(q.page.cursor, pk, q.partition, q.prefix),
    }),
  );
  return { items: (out.Items ?? []).map(q.map), nextCursor: encodeCursor(out.LastEvaluatedKey) };
}

/** How many items a query matches (after its filter), every page read: `Select: 'COUNT'`, nothing fetched. */
export async function countQuery(db: DynamoDBDocumentClient, input: Omit<ConstructorParameters<typeof QueryCommand>[0], 'Select' | 'ExclusiveStartKey'>): Promise<number> {
  let count = 0;
  let start: Record<string, unknown> | undefined;
  do {
    const out = await db.send(new QueryCommand({ ...input, Select: 'COUNT', ExclusiveStartKey: start }));
    count += out.Count ?? 0;
    start = out.LastEvaluatedKey;
  } while (start);
  return count;
}
