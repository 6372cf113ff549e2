/** The SQS adapter: batches of ten, retry of the entries SQS reports failed, no message dropped quietly. */
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { queueUrlEnv, SqsWorkQueue } from '../../../shared/adapters/sqs/sqs-work-queue';

const sqs = mockClient(SQSClient);
const env = { [queueUrlEnv('billing')]: 'https://sqs.eu-central-1.amazonaws.com/123/billing' };
const noSleep = async () => undefined;

beforeEach(() => sqs.reset());

describe('SqsWorkQueue', () => {
  it('sends in batches of ten to the queue URL of the environment', async () => {
    sqs.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });
    const q = new SqsWorkQueue(env, new SQSClient({ region: 'eu-central-1' }), noSleep);
    await q.send('billing', Array.from({ length: 23 }, (_v, i) => ({ i })), { delaySeconds: 5 });
    const calls = sqs.commandCalls(SendMessageBatchCommand).map((c) => c.args[0].input);
    expect(calls.map((c) => c.Entries!.length)).toEqual([10, 10, 3]);
    expect(calls.every((c) => c.QueueUrl === env[queueUrlEnv('billing')])).toBe(true);
    expect(calls.flatMap((c) => c.Entries!.map((e) => JSON.parse(e.MessageBody!).i))).toEqual(Array.from({ length: 23 }, (_v, i) => i));
    expect(calls[0]!.Entries![0]!.DelaySeconds).toBe(5);
  });

  it('sends again only the entries SQS reported as failed', async () => {
    sqs
      .on(SendMessageBatchCommand)
      .resolvesOnce({ Failed: [{ Id: '1', Code: 'InternalError', SenderFault: false }, { Id: '3', Code: 'InternalError', SenderFault: false }] })
      .resolves({ Failed: [] });
    const q = new SqsWorkQueue(env, new SQSClient({ region: 'eu-central-1' }), noSleep);
    await q.send('billing', [{ a: 0 }, { a: 1 }, { a: 2 }, { a: 3 }]);
    const calls = sqs.commandCalls(SendMessageBatchCommand).map((c) => c.args[0].input);
    expect(calls).toHaveLength(2);
    expect(calls[1]!.Entries!.map((e) => JSON.parse(e.MessageBody!).a)).toEqual([1, 3]);
  });

  it('throws when entries keep failing, at once for a sender fault, and without a queue URL', async () => {
    sqs.on(SendMessageBatchCommand).resolves({ Failed: [{ Id: '0', Code: 'InternalError', SenderFault: false }] });
    const q = new SqsWorkQueue(env, new SQSClient({ region: 'eu-central-1' }), noSleep);
    await expect(q.send('billing', [{ a: 0 }])).rejects.toThrow(/refused 1 message/);
    expect(sqs.commandCalls(SendMessageBatchCommand)).toHaveLength(5);
    sqs.reset();
    sqs.on(SendMessageBatchCommand).resolves({ Failed: [{ Id: '0', Code: 'InvalidMessageContents', SenderFault: true }] });
    await expect(q.send('billing', [{ a: 0 }])).rejects.toThrow(/InvalidMessageContents/);
    expect(sqs.commandCalls(SendMessageBatchCommand)).toHaveLength(1);
    await expect(new SqsWorkQueue({}).send('billing', [{}])).rejects.toThrow(/QUEUE_URL_BILLING/);
  });
});
