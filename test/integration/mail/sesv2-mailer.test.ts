import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { mockClient } from 'aws-sdk-client-mock';
import { startLocalSes, type LocalSes } from '../../../infra/local/ses-local';
import { SesV2Mailer } from '../../../shared/adapters/ses/sesv2-mailer';
import { MailSendError } from '../../../shared/ports/mailer';

const client = (endpoint: string) =>
  new SESv2Client({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, maxAttempts: 1, requestHandler: { requestTimeout: 3000, throwOnRequestTimeout: true } });

describe('SES v2 adapter', () => {
  let ses: LocalSes;
  beforeAll(async () => {
    ses = await startLocalSes(0);
  });
  afterAll(() => ses.stop());

  it('sends through the v2 SendEmail route of aws-ses-v2-local, which keeps the outbox reference header', async () => {
    const mailer = new SesV2Mailer(client(ses.url), 'from@example.com', 'rp-events');
    const id = await mailer.send({ to: ['a@example.com'], replyTo: ['r@example.com'], subject: 'S ü', text: 'T ✓', ref: { resellerId: 'r1', messageId: 'm-1' } });
    expect(id).toMatch(/^ses-/);
    const store = (await (await fetch(`${ses.url}/store`)).json()) as { emails: any[] };
    const mail = store.emails.find((e) => e.messageId === id);
    expect(mail).toMatchObject({ from: 'from@example.com', subject: 'S ü', body: { text: 'T ✓' }, replyTo: ['r@example.com'], destination: { to: ['a@example.com'] } });
    expect(mail.headers).toEqual([{ name: 'X-Outbox-Ref', value: 'r1/m-1' }]);
  });

  it('times out instead of hanging on a server that never answers', async () => {
    const { createServer } = await import('node:http');
    const silent = createServer(() => undefined);
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
    const port = (silent.address() as { port: number }).port;
    const c = new SESv2Client({ endpoint: `http://127.0.0.1:${port}`, region: 'us-east-1', credentials: { accessKeyId: 'l', secretAccessKey: 'l' }, maxAttempts: 1, requestHandler: { requestTimeout: 300, throwOnRequestTimeout: true } });
    const err = await new SesV2Mailer(c, 'f@example.com').send({ to: ['a@example.com'], subject: 's', text: 't' }).catch((e) => e);
    expect(err).toBeInstanceOf(MailSendError);
    expect(err.kind).toBe('transient');
    silent.closeAllConnections();
    silent.close();
  });

  it('classifies SES errors: throttling and pauses are retried, a rejection is permanent', async () => {
    const c = new SESv2Client({ region: 'us-east-1', credentials: { accessKeyId: 'l', secretAccessKey: 'l' } });
    const mock = mockClient(c);
    const mailer = new SesV2Mailer(c, 'f@example.com');
    const fail = (name: string, status: number) => Object.assign(new Error(`${name} says no`), { name, $metadata: { httpStatusCode: status } });
    const kindOf = async (e: Error) => {
      mock.reset();
      mock.on(SendEmailCommand).rejects(e);
      return ((await mailer.send({ to: ['a@example.com'], subject: 's', text: 't' }).catch((x) => x)) as MailSendError).kind;
    };
    expect(await kindOf(fail('TooManyRequestsException', 429))).toBe('throttled');
    expect(await kindOf(fail('SendingPausedException', 400))).toBe('transient');
    expect(await kindOf(fail('InternalFailure', 500))).toBe('transient');
    mock.reset();
    mock.on(SendEmailCommand).rejects(fail('MessageRejected', 400));
    const err = (await mailer.send({ to: ['a@example.com'], subject: 's', text: 't' }).catch((x) => x)) as MailSendError;
    expect(err).toMatchObject({ kind: 'permanent', reason: 'MessageRejected: MessageRejected says no' });
  });
});
