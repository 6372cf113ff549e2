import { ValidationError } from '../../domain/errors';
import { TABLE } from './keys';

/**
 * Page cursors are the last evaluated key, base64url JSON. A cursor is only honoured for the
 * partition it came from, so a crafted cursor cannot open another tenant's partition.
 */
export function encodeCursor(lastKey: Record<string, unknown> | undefined): string | null {
  if (!lastKey) return null;
  return Buffer.from(JSON.stringify(lastKey), 'utf8').toString('base64url');
}

/**
 * The last evaluated key of a page of `expectedPartition`, or a 400 naming `cursor`: exactly the key
 * attributes DynamoDB gives back for that query (table keys, plus the GSI's for a GSI query), all
 * strings, in the partition it came from, and with a sort key inside the list's `prefix`. Anything
 * else never reaches DynamoDB (which would answer a crafted key with a 500).
 */
export function decodeCursor(
  cursor: string | undefined,
  partitionAttribute: string,
  expectedPartition: string,
  prefix?: string,
): Record<string, unknown> | undefined {
  if (cursor === undefined || cursor === '') return undefined;
  const refuse = () => ValidationError.field('cursor', 'is not a cursor this API issued for this list');
  if (cursor.length > 2048 || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw refuse();
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw refuse();
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw refuse();
  const key = parsed as Record<string, unknown>;
  const gsi = partitionAttribute === TABLE.gsi1.partitionKey;
  const sortAttribute = gsi ? TABLE.gsi1.sortKey : TABLE.sortKey;
  const wanted = gsi ? [TABLE.gsi1.partitionKey, TABLE.gsi1.sortKey, TABLE.partitionKey, TABLE.sortKey] : [TABLE.partitionKey, TABLE.sortKey];
  const names = Object.keys(key);
  if (names.length !== wanted.length || !wanted.every((n) => typeof key[n] === 'string' && (key[n] as string).length > 0)) throw refuse();
  if (key[partitionAttribute] !== expectedPartition) throw refuse();
  if (prefix && !(key[sortAttribute] as string).startsWith(prefix)) throw refuse();
  return key;
}
