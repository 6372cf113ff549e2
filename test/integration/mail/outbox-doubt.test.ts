/**
 * At most once (docs/mail.md, "What is at most once"): a message whose sender died or lost SES's
 * answer is in doubt and never simply sent again. The real outbox store on the test runtime's
 * DynamoDB Local and processSendWork, with the adapters composed as the runtime composes them; the
 * SES is a local SES of this test's own (the runtime's SES events feed does not read it), the
 * queue a stand-in that records what is enqueued (the runtime's consumers must not take this work).
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalSes, type LocalSes } from '../../../infra/local/ses-local';
import { composeFromEnv, type AppDeps } from '../../../shared/adapters/compose';
import { keys } from '../../../shared/adapters/dynamodb/keys';
import { LocalSesLookup } from '../../../shared/adapters/ses/local-ses-lookup';
import { SesV2Mailer } from '../../../shared/adapters/ses/sesv2-mailer';
import { mailSettingsFromEnv, MAIL_SEND_QUEUE, type MailDeps, type SendWork } from '../../../shared/app/mail/deps';
import { processSendWork } from '../../../shared/app/mail/send';
import { handleMailEvent } from '../../../shared/app/mail/standing';
import { recipientMessageId, singleMessageId } from '../../../shared/domain/mail/outbox';
import { SendPacer } from '../../../shared/domain/mail/pace';
import { MailSendError, type MailMessage, type Mailer, type SentMailLookup } from '../../../shared/ports/mailer';
import type { WorkQueue } from '../../../shared/ports/work-queue';
import { localDbEnv } from '../../support/local-db';

const LEASE = 60;
const WAIT = 900;
let ses: LocalSes;
let base: AppDeps;

beforeAll(async () => {
  ses = await startLocalSes(0);
  base = await composeFromEnv(localDbEnv());
});
afterAll(() => ses?.stop());

class RecordingQueue implements WorkQueue {
  sent: { ids: string[]; delaySeconds?: number }[] = [];
  async send(queue: string, bodies: readonly unknown[], opts?: { delaySeconds?: number }) {
    expect(queue).toBe(MAIL_SEND_QUEUE);
    for (const b of bodies) this.sent.push({ ids: (b as SendWork).ids, delaySeconds: opts?.delaySeconds });
  }
}

/** The real SES adapter on this test's local SES, counting calls. */
class CountingMailer implements Mailer {
  calls: MailMessage[] = [];
  constructor(private readonly inner: Mailer) {}
  send(m: MailMessage) {
    this.calls.push(m);
    return this.inner.send(m);
  }
}
const sesMailer = () =>
  new SesV2Mailer(new SESv2Client({ endpoint: ses.url, region: 'us-east-1', credentials: { accessKeyId: 'l', secretAccessKey: 'l' }, maxAttempts: 1 }), 'from@example.com');

function depsWith(parts: { mailer?: Mailer; sentMail?: SentMailLookup; pacer?: SendPacer } = {}) {
  const queue = new RecordingQueue();
  const mailer = new CountingMailer(parts.mailer ?? sesMailer());
  const mailSettings = { ...mailSettingsFromEnv({ MAIL_SEND_RATE: '1000' }), leaseSeconds: LEASE, confirmWaitSeconds: WAIT, ...(parts.pacer ? { pacer: parts.pacer } : {}) };
  const { sentMail: _none, ...rest } = base;
  const deps: MailDeps = { ...rest, queue, mailer, mailSettings, ...(parts.sentMail ? { sentMail: parts.sentMail } : {}) };
  return { deps, queue, mailer };
}

/** A circular of one page with `n` recipients (web1 … webN), as the fan-out records it. */
async function circular(n: number) {
  const resellerId = `doubt${randomUUID().slice(0, 8)}`;
  const circularId = randomUUID().replace(/-/g, '').slice(0, 12);
  await base.outbox.createCircular(resellerId, {
    id: circularId,
    subject: 'Doubt',
    text: 'hello',
    exclude: [],
    createdAt: new Date().toISOString(),
    pages: 0,
    fanoutDone: false,
    recipients: 0,
    sent: 0,
    failed: 0,
    skipped: 0,
    excluded: 0,
  });
  const recipients = Array.from({ length: n }, (_, i) => ({ username: `web${i + 1}`, to: `u${i + 1}-${circularId}@example.com`, values: {} }));
  expect(await base.outbox.recordPage(resellerId, circularId, { n: 0, recipients, excluded: 0, skipped: 0, next: null })).toBe(true);
  return { resellerId, circularId, ids: recipients.map((r) => recipientMessageId(circularId, r.username)) };
}

const work = (resellerId: string, ids: string[]): SendWork => ({ resellerId, ids, enqueuedAt: Date.now() });
const storeHolding = async (ref: string) =>
  ((await (await fetch(`${ses.url}/store`)).json()) as { emails: { messageId: string; headers?: { name: string; value: string }[] }[] }).emails.filter((e) =>
    e.headers?.some((h) => h.name === 'X-Outbox-Ref' && h.value === ref),
  );
const rawItem = async (resellerId: string, circularId: string, username: string) =>
  (await base.db.send(new GetCommand({ TableName: base.tableName, Key: keys.circularRecipient(resellerId, circularId, username), ConsistentRead: true }))).Item;

/** A sender that claimed the message `agoMs` ago and died (its claim is still `sending`). */
const diedHolding = async (resellerId: string, id: string, agoMs: number) => {
  const c = await base.outbox.claim(resellerId, id, 'dead-sender', Date.now() - agoMs, LEASE);
  expect(c).toHaveProperty('claimed');
};

describe('a message in doubt is sent at most once', () => {
  it('the claim does not take over a stale sending message: it reports it in doubt (a fresh one is busy)', async () => {
    const { resellerId, ids } = await circular(2);
    const now = Date.now();
    await base.outbox.claim(resellerId, ids[0]!, 'fresh', now - 1000, LEASE);
    expect(await base.outbox.claim(resellerId, ids[0]!, 'other', now, LEASE)).toEqual({ busyUntilMs: now - 1000 + LEASE * 1000 });
    await base.outbox.claim(resellerId, ids[1]!, 'stale', now - LEASE * 1000 - 1, LEASE);
    expect(await base.outbox.claim(resellerId, ids[1]!, 'other', now, LEASE)).toEqual({ inDoubt: { token: 'stale', claimedAtMs: now - LEASE * 1000 - 1, attempts: 1 } });
    // Taken over only with the old token, once.
    expect(await base.outbox.takeOver(resellerId, ids[1]!, 'wrong', 'new', now)).toBeUndefined();
    expect(await base.outbox.takeOver(resellerId, ids[1]!, 'stale', 'new', now)).toMatchObject({ token: 'new', attempts: 2, claimedAtMs: now });
    expect(await base.outbox.takeOver(resellerId, ids[1]!, 'stale', 'newer', now)).toBeUndefined();
  });

  it('(i) died after SES accepted it: the local SES has it, so it is recorded sent and SES got it once', async () => {
    const { resellerId, circularId, ids } = await circular(1);
    const id = ids[0]!;
    await diedHolding(resellerId, id, (LEASE + 1) * 1000);
    // What the dead sender handed to SES before it died.
    const sesId = await sesMailer().send({ to: ['x@example.com'], subject: 'Doubt', text: 'hello', ref: { resellerId, messageId: id } });
    const { deps, mailer, queue } = depsWith({ sentMail: new LocalSesLookup(ses.url, 0) });
    expect(await processSendWork(deps, work(resellerId, [id]))).toMatchObject({ sent: 1, inDoubt: 0 });
    expect(mailer.calls).toHaveLength(0);
    expect(queue.sent).toHaveLength(0);
    expect(await base.outbox.getMessage(resellerId, id)).toMatchObject({ status: 'sent', sesMessageId: sesId, attempts: 1 });
    expect(await storeHolding(`${resellerId}/${id}`)).toHaveLength(1);
    expect(await base.outbox.getCircular(resellerId, circularId)).toMatchObject({ sent: 1, failed: 0 });
  });

  it('(ii) died before SES got it: the local SES (up since before the claim) lacks it, so it is taken over and sent once', async () => {
    const { resellerId, circularId, ids } = await circular(1);
    const id = ids[0]!;
    await diedHolding(resellerId, id, (LEASE + 1) * 1000);
    // An SES that started after the claim cannot tell: not in its store proves nothing.
    expect(await new LocalSesLookup(ses.url, Date.now()).find({ resellerId, messageId: id }, Date.now() - (LEASE + 1) * 1000)).toEqual({ unknown: true });
    const { deps, mailer } = depsWith({ sentMail: new LocalSesLookup(ses.url, 0) });
    expect(await processSendWork(deps, work(resellerId, [id]))).toMatchObject({ sent: 1 });
    expect(mailer.calls).toHaveLength(1);
    expect(await storeHolding(`${resellerId}/${id}`)).toHaveLength(1);
    expect(await base.outbox.getMessage(resellerId, id)).toMatchObject({ status: 'sent', attempts: 2 });
    // A redelivery of the same work changes nothing.
    expect(await processSendWork(deps, work(resellerId, [id]))).toMatchObject({ skipped: 1, sent: 0 });
    expect(await storeHolding(`${resellerId}/${id}`)).toHaveLength(1);
    expect(await base.outbox.getCircular(resellerId, circularId)).toMatchObject({ sent: 1, failed: 0 });
  });

  it('(iii) no lookup (AWS): not sent again, back to the queue with a delay; a Send event then records it sent', async () => {
    const { resellerId, circularId, ids } = await circular(1);
    const id = ids[0]!;
    await diedHolding(resellerId, id, (LEASE + 1) * 1000);
    const { deps, mailer, queue } = depsWith();
    expect(await processSendWork(deps, work(resellerId, [id]))).toMatchObject({ inDoubt: 1, sent: 0, failed: 0 });
    expect(mailer.calls).toHaveLength(0);
    // The rest of the wait (about 899 s), at most SQS's 900.
    expect(queue.sent).toHaveLength(1);
    expect(queue.sent[0]!.ids).toEqual([id]);
    expect(queue.sent[0]!.delaySeconds).toBeGreaterThan(890);
    expect(queue.sent[0]!.delaySeconds).toBeLessThanOrEqual(900);
    expect(await base.outbox.getMessage(resellerId, id)).toMatchObject({ status: 'sending' });
    await handleMailEvent(deps, { type: 'send', resellerId, messageId: id, sesMessageId: 'ses-from-event', at: new Date().toISOString() });
    expect(await base.outbox.getMessage(resellerId, id)).toMatchObject({ status: 'sent', sesMessageId: 'ses-from-event' });
    expect(await base.outbox.getCircular(resellerId, circularId)).toMatchObject({ sent: 1, failed: 0 });
  });

  it('(iv) no lookup, no event: after lease + wait it ends failed as unconfirmed; a late Send event turns it into sent', async () => {
    const { resellerId, circularId, ids } = await circular(2);
    const [id, other] = ids as [string, string];
    await diedHolding(resellerId, id, (LEASE + WAIT + 1) * 1000);
    const { deps, mailer, queue } = depsWith();
    expect(await processSendWork(deps, work(resellerId, [id]))).toMatchObject({ failed: 1 });
    expect(mailer.calls).toHaveLength(0);
    expect(queue.sent).toHaveLength(0);
    const failed = await base.outbox.getMessage(resellerId, id);
    expect(failed).toMatchObject({ status: 'failed' });
    expect(failed?.reason).toMatch(/^outcome unconfirmed: .*not sent again, so that it arrives at most once$/);
    expect((await rawItem(resellerId, circularId, 'web1'))?.unconfirmed).toBe(true);
    expect(await base.outbox.getCircular(resellerId, circularId)).toMatchObject({ sent: 0, failed: 1 });
    expect((await base.outbox.failures(resellerId, circularId, { limit: 10 })).items).toMatchObject([{ username: 'web1', reason: failed?.reason }]);

    // An ordinary failure is final: a Send event (there would be none) changes nothing.
    await base.outbox.claim(resellerId, other, 't', Date.now(), LEASE);
    await base.outbox.recordFailed(resellerId, other, 't', 'MessageRejected: no', new Date().toISOString());
    expect(await base.outbox.reconcileSent(resellerId, other, 'ses-x', new Date().toISOString())).toBe(false);

    await handleMailEvent(deps, { type: 'send', resellerId, messageId: id, sesMessageId: 'ses-late', at: new Date().toISOString() });
    const sent = await base.outbox.getMessage(resellerId, id);
    expect(sent).toMatchObject({ status: 'sent', sesMessageId: 'ses-late' });
    expect(sent?.reason).toBeUndefined();
    expect((await rawItem(resellerId, circularId, 'web1'))?.unconfirmed).toBeUndefined();
    expect(await base.outbox.getCircular(resellerId, circularId)).toMatchObject({ sent: 1, failed: 1 });
    expect((await base.outbox.failures(resellerId, circularId, { limit: 10 })).items.map((f) => f.username)).toEqual(['web2']);
    // The event delivered again: nothing moves twice.
    await handleMailEvent(deps, { type: 'send', resellerId, messageId: id, sesMessageId: 'ses-late', at: new Date().toISOString() });
    expect(await base.outbox.getCircular(resellerId, circularId)).toMatchObject({ sent: 1, failed: 1 });
  });

  it('(iv) a registration e-mail that ends unconfirmed is in the message log', async () => {
    const resellerId = `doubt${randomUUID().slice(0, 8)}`;
    const id = singleMessageId(randomUUID().replace(/-/g, '').slice(0, 12));
    await base.outbox.putSingle(resellerId, { id, kind: 'registration', username: 'web7', to: 'reg@example.com', replyTo: [], subject: 's', encryptedText: 'x', createdAt: new Date().toISOString() });
    await diedHolding(resellerId, id, (LEASE + WAIT + 1) * 1000);
    const { deps } = depsWith();
    expect(await processSendWork(deps, work(resellerId, [id]))).toMatchObject({ failed: 1 });
    const log = await base.messages.list(resellerId, { type: 'error', limit: 10 });
    expect(log.items.map((m) => m.text)).toEqual([expect.stringMatching(/^registration e-mail to web7 \(reg@example\.com\) failed: outcome unconfirmed/)]);
  });

  it('(v) an unknown SES outcome leaves it sending with the claim, back to the queue after the lease; then in doubt, not sent again', async () => {
    const { resellerId, ids } = await circular(1);
    const id = ids[0]!;
    const lost: Mailer = { send: () => Promise.reject(new MailSendError('unknown', 'TimeoutError: no answer')) };
    const { deps, mailer, queue } = depsWith({ mailer: lost });
    const day = new Date().toISOString().slice(0, 10);
    const slots = async () => Number((await base.db.send(new GetCommand({ TableName: base.tableName, Key: keys.mailDay(resellerId, day), ConsistentRead: true }))).Item?.mails ?? 0);
    expect(await processSendWork(deps, work(resellerId, [id]))).toMatchObject({ inDoubt: 1, retried: 0, failed: 0 });
    expect(mailer.calls).toHaveLength(1);
    expect(await base.outbox.getMessage(resellerId, id)).toMatchObject({ status: 'sending', attempts: 1 });
    expect(queue.sent).toEqual([{ ids: [id], delaySeconds: expect.any(Number) }]);
    expect(queue.sent[0]!.delaySeconds).toBeGreaterThan(LEASE);
    expect(queue.sent[0]!.delaySeconds).toBeLessThanOrEqual(LEASE + 2);
    // SES may have it: its daily slot is kept.
    expect(await slots()).toBe(1);
    // Redelivered early (the queue delivers at least once): still its sender's, busy.
    expect(await processSendWork(deps, work(resellerId, [id]))).toMatchObject({ inDoubt: 0, sent: 0 });
    expect(mailer.calls).toHaveLength(1);
    // After the lease, without a lookup: in doubt, waits for the Send event, not sent again.
    expect(await processSendWork(deps, work(resellerId, [id]), () => Date.now() + (LEASE + 2) * 1000)).toMatchObject({ inDoubt: 1 });
    expect(mailer.calls).toHaveLength(1);
    expect(await base.outbox.getMessage(resellerId, id)).toMatchObject({ status: 'sending' });
  });

  it('(vi) a sender whose pacer wait pushed it past its lease does not call SES: the claim goes back, not an attempt', async () => {
    const { resellerId, ids } = await circular(1);
    const id = ids[0]!;
    let shift = 0;
    const pacer = Object.assign(new SendPacer(1000), {
      reserve: () => {
        shift = (LEASE - 4) * 1000; // the wait ends 4 s before the lease: a 5 s SES call would outlast it
        return 10;
      },
    });
    const { deps, mailer, queue } = depsWith({ pacer });
    expect(await processSendWork(deps, work(resellerId, [id]), () => Date.now() + shift)).toMatchObject({ retried: 1, sent: 0 });
    expect(mailer.calls).toHaveLength(0);
    expect(await base.outbox.getMessage(resellerId, id)).toMatchObject({ status: 'queued', attempts: 0 });
    expect(queue.sent).toEqual([{ ids: [id], delaySeconds: 1 }]);
    // With time to spare it is sent.
    const { deps: on, mailer: m2 } = depsWith();
    expect(await processSendWork(on, work(resellerId, [id]), () => Date.now() + shift)).toMatchObject({ sent: 1 });
    expect(m2.calls).toHaveLength(1);
  });
});
