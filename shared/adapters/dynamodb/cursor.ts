import { ValidationError } from '../../domain/errors';

/**
 * Page cursors are the last evaluated key, base64url JSON. A cursor is only honoured for the
 * partition it came from, so a crafted cursor cannot open another tenant's partition.
 */
export function encodeCursor(lastKey: Record<string, unknown> | undefined): string | null {
  if (!lastKey) return null;
  return Buffer.from(JSON.stringify(lastKey), 'utf8').toString('base64url');
}

export function decodeCursor(
  cursor: string | undefined,
  partitionAttribute: string,
  expectedPartition: string,
): Record<string, unknown> | undefined {
  if (cursor === undefined || cursor === '') return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw ValidationError.field('cursor', 'is not a cursor this API issued');
  }
  if (
    typeof parsed !== 'object' ||
    parsed === null ||
    Array.isArray(parsed) ||
    (parsed as Record<string, unknown>)[partitionAttribute] !== expectedPartition ||
    !Object.values(parsed).every((v) => typeof v === 'string')
  ) {
    throw ValidationError.field('cursor', 'is not a cursor this API issued');
  }
  return parsed as Record<string, unknown>;
}
