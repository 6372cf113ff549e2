import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { mockClient } from 'aws-sdk-client-mock';
import { createServer, type RequestListener } from 'node:http';
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

  const sendTo = async (endpoint: string, requestTimeout = 300) => {
    const c = new SESv2Client({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'l', secretAccessKey: 'l' }, maxAttempts: 1, requestHandler: { requestTimeout, connectionTimeout: 200, throwOnRequestTimeout: true } });
    return new SesV2Mailer(c, 'f@example.com').send({ to: ['a@example.com'], subject: 's', text: 't' }).catch((e) => e);
  };
  const serve = async (handle: RequestListener) => {
    const server = createServer(handle);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    return { url, stop: () => (server.closeAllConnections(), new Promise<void>((r) => server.close(() => r()))) };
  };

  it('a server that never answers times out as unknown: the request was written, SES may have it', async () => {
    const silent = await serve(() => undefined);
    const err = await sendTo(silent.url);
    expect(err).toBeInstanceOf(MailSendError);
    expect(err.kind).toBe('unknown');
    await silent.stop();
  });

  it('a reset socket and a 200 without a message id are unknown; a refused connection is transient (SES never got it)', async () => {
    const reset = await serve((req) => req.socket.destroy());
    expect((await sendTo(reset.url)).kind).toBe('unknown');
    await reset.stop();
    const noId = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{}');
    });
    expect(await sendTo(noId.url)).toMatchObject({ kind: 'unknown', reason: 'SES answered without a message id' });
    await noId.stop();
    const gone = await serve(() => undefined);
    await gone.stop();
    expect((await sendTo(gone.url)).kind).toBe('transient');
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
