/**
 * The unit-of-work executor on DynamoDB Local: item-by-item mapping of failed conditions, single
 * writes for one-item units, and bounded retries of contention. Contention is injected by a
 * middleware at the client's initialize step (before the SDK's own retries), so the executor's
 * policy alone decides; everything else is the real DynamoDB Local.
 */
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { describe, expect, inject, it } from 'vitest';
import { localDocumentClient } from '../support/local-db';
import { RETRY, UnitOfWork, type UnitItem } from '../../shared/adapters/dynamodb/unit-of-work';
import { ConcurrentChangeError, ConflictError, ErrorCode, NotFoundError } from '../../shared/domain/errors';

const T = () => inject('tableName');
// Command names as the low-level client sees them (TransactWriteItemsCommand, PutItemCommand, ...).
const key = () => ({ PK: `UOW#${Math.random().toString(36).slice(2)}`, SK: 'X' });

/** A client whose first `n` sends of `command` fail with `fault()`; counts sends by command name. */
function client(faults: { command?: string; n: number; fault: () => Error } = { n: 0, fault: () => new Error() }) {
  const db = localDocumentClient();
  const sent: string[] = [];
  let left = faults.n;
  db.middlewareStack.add(
    (next, context) => async (args) => {
      const name = String(context.commandName ?? '');
      sent.push(name);
      if (left > 0 && (!faults.command || name === faults.command)) {
        left--;
        throw faults.fault();
      }
      return next(args);
    },
    { step: 'initialize', name: 'faultInjection' },
  );
  return { db, sent };
}

const conflict = () =>
  new TransactionCanceledException({
    message: 'Transaction cancelled',
    $metadata: {},
    CancellationReasons: [{ Code: 'None' }, { Code: 'TransactionConflict' }],
  });
const throttled = () => Object.assign(new Error('Rate exceeded'), { name: 'ProvisionedThroughputExceededException' });

const get = async (db: DynamoDBDocumentClient, k: { PK: string; SK: string }) =>
  (await db.send(new GetCommand({ TableName: T(), Key: k, ConsistentRead: true }))).Item;

const fast = { attempts: 4, baseDelayMs: 1, maxDelayMs: 5 };

describe('unit of work', () => {
  it('writes all items of a transaction, or none, and names the failed item by its own error', async () => {
    const { db } = client();
    const uow = new UnitOfWork(db, fast);
    const a = key();
    const b = key();
    await uow.run([
      { Put: { TableName: T(), Item: { ...a, n: 1 } } },
      { Put: { TableName: T(), Item: { ...b, n: 1 } } },
    ]);
    const items = (expected: number): UnitItem[] => [
      { Put: { TableName: T(), Item: { ...a, n: 2 } }, onConditionFailed: new NotFoundError('a') },
      {
        Update: { TableName: T(), Key: b, UpdateExpression: 'SET n = :two', ConditionExpression: 'n = :e', ExpressionAttributeValues: { ':two': 2, ':e': expected } },
        onConditionFailed: new ConflictError('b is taken', ErrorCode.USERNAME_TAKEN),
      },
    ];
    await expect(uow.run(items(2))).rejects.toMatchObject({ code: ErrorCode.USERNAME_TAKEN, message: 'b is taken' });
    expect((await get(db, a))?.n).toBe(1); // nothing of the unit was written
    await uow.run(items(1));
    expect((await get(db, a))?.n).toBe(2);
    expect((await get(db, b))?.n).toBe(2);
  });

  it('the deciding handler learns every item whose condition failed (the run store counts its markers by that)', async () => {
    const { db } = client();
    const uow = new UnitOfWork(db, fast);
    const [a, b, c] = [key(), key(), key()];
    await uow.run([
      { Put: { TableName: T(), Item: { ...a } } },
      { Put: { TableName: T(), Item: { ...c } } },
    ]);
    const seen: number[][] = [];
    const absent = (k: { PK: string; SK: string }): UnitItem => ({
      Put: { TableName: T(), Item: { ...k }, ConditionExpression: 'attribute_not_exists(PK)' },
      onConditionFailed: (_current, unit) => (seen.push(unit.failed), new ConflictError('there already', ErrorCode.CONFLICT)),
    });
    await expect(uow.run([absent(a), absent(b), absent(c)])).rejects.toMatchObject({ code: ErrorCode.CONFLICT });
    expect(seen).toEqual([[0, 2]]);
    expect(await get(db, b)).toBeUndefined();
  });

  it('a failed condition without its own meaning is CONCURRENT_CHANGE; ALL_OLD hands the handler the item as it is', async () => {
    const { db } = client();
    const uow = new UnitOfWork(db, fast);
    const a = key();
    await uow.run([{ Put: { TableName: T(), Item: { ...a, owner: 'web7' } } }]);
    await expect(
      uow.run([
        { Put: { TableName: T(), Item: { ...key() } } },
        { ConditionCheck: { TableName: T(), Key: a, ConditionExpression: 'attribute_not_exists(PK)' } },
      ]),
    ).rejects.toBeInstanceOf(ConcurrentChangeError);
    await expect(
      uow.run([
        {
          Delete: { TableName: T(), Key: a, ConditionExpression: 'attribute_not_exists(#o)', ExpressionAttributeNames: { '#o': 'owner' }, ReturnValuesOnConditionCheckFailure: 'ALL_OLD' },
          onConditionFailed: (current) => new ConflictError(`worn by ${current?.owner}`, ErrorCode.SKIN_IN_USE),
        },
        { Put: { TableName: T(), Item: { ...key() } } },
      ]),
    ).rejects.toMatchObject({ message: 'worn by web7' });
  });

  it('sends a one-item unit as a single write (one cheaper call) with the same condition mapping', async () => {
    const { db, sent } = client();
    const uow = new UnitOfWork(db, fast);
    const a = key();
    await uow.run([{ Put: { TableName: T(), Item: { ...a, v: 1 }, ConditionExpression: 'attribute_not_exists(PK)' } }]);
    await expect(
      uow.run([{ Put: { TableName: T(), Item: { ...a, v: 2 }, ConditionExpression: 'attribute_not_exists(PK)' }, onConditionFailed: new NotFoundError('exists') }]),
    ).rejects.toMatchObject({ message: 'exists' });
    const attrs = await uow.run(
      [{ Update: { TableName: T(), Key: a, UpdateExpression: 'SET v = :v', ExpressionAttributeValues: { ':v': 3 } } }],
      { returnValues: 'ALL_NEW' },
    );
    expect(attrs?.v).toBe(3);
    expect(sent).toEqual(['PutItemCommand', 'PutItemCommand', 'UpdateItemCommand']);
  });

  it('retries TransactionConflict and throttling with backoff, then succeeds', async () => {
    for (const fault of [conflict, throttled]) {
      const { db, sent } = client({ command: 'TransactWriteItemsCommand', n: 3, fault });
      const a = key();
      await new UnitOfWork(db, fast).run([
        { Put: { TableName: T(), Item: { ...a, ok: true } } },
        { Put: { TableName: T(), Item: { ...key() } } },
      ]);
      expect(sent.filter((c) => c === 'TransactWriteItemsCommand')).toHaveLength(4);
      expect((await get(db, a))?.ok).toBe(true);
    }
  });

  it('a race still lost after the bounded retries is 409 CONCURRENT_CHANGE and writes nothing', async () => {
    const { db, sent } = client({ command: 'TransactWriteItemsCommand', n: 100, fault: conflict });
    const a = key();
    const err = await new UnitOfWork(db, fast)
      .run([{ Put: { TableName: T(), Item: { ...a } } }, { Put: { TableName: T(), Item: { ...key() } } }])
      .catch((e) => e);
    expect(err).toBeInstanceOf(ConcurrentChangeError);
    expect(err.code).toBe('CONCURRENT_CHANGE');
    expect(sent.filter((c) => c === 'TransactWriteItemsCommand')).toHaveLength(fast.attempts);
    expect(await get(db, a)).toBeUndefined();
  });

  it('RETRY from a handler builds the unit again (bounded)', async () => {
    const { db } = client();
    const uow = new UnitOfWork(db, fast);
    const a = key();
    await uow.run([{ Put: { TableName: T(), Item: { ...a, n: 5 } } }]);
    let expected = 1;
    let builds = 0;
    await uow.run(() => {
      builds++;
      return [
        {
          Update: { TableName: T(), Key: a, UpdateExpression: 'SET n = n + :one', ConditionExpression: 'n = :e', ExpressionAttributeValues: { ':one': 1, ':e': expected }, ReturnValuesOnConditionCheckFailure: 'ALL_OLD' },
          onConditionFailed: (current) => {
            expected = Number(current?.n);
            return RETRY;
          },
        },
      ];
    });
    expect(builds).toBe(2);
    expect((await get(db, a))?.n).toBe(6);
    // A handler that always answers RETRY ends as CONCURRENT_CHANGE.
    await expect(
      uow.run(() => [{ Update: { TableName: T(), Key: a, UpdateExpression: 'SET n = :z', ConditionExpression: 'n = :z', ExpressionAttributeValues: { ':z': 0 } }, onConditionFailed: () => RETRY }]),
    ).rejects.toBeInstanceOf(ConcurrentChangeError);
  });
});
