import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor } from '../../../shared/adapters/dynamodb/cursor';

describe('page cursors', () => {
  it('round-trip for their own partition only', () => {
    const key = { PK: 'R#a', SK: 'USER#web1' };
    const c = encodeCursor(key)!;
    expect(decodeCursor(c, 'PK', 'R#a')).toEqual(key);
    expect(() => decodeCursor(c, 'PK', 'R#b')).toThrow(/cursor/);
    expect(() => decodeCursor('%%%', 'PK', 'R#a')).toThrow(/cursor/);
    expect(decodeCursor(undefined, 'PK', 'R#a')).toBeUndefined();
    expect(encodeCursor(undefined)).toBeNull();
  });
});
