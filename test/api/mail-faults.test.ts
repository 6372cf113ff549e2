import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOwnRuntime, type OwnRuntime } from '../support/own-runtime';
import { circularDone, eventually, sesStore } from '../support/mail';
import { rejected, startFaultySes, THROTTLED, type FaultySes } from '../support/ses-faults';

/**
 * SES faults against a runtime of its own, whose SES is the test's local SES behind a fault switch
 * (test/support/ses-faults.ts): throttling is retried, a rejection ends `failed` with its reason,
 * retries that never succeed end `failed` too, and the per-reseller daily cap holds mail back until
 * the next day instead of dropping it.
 */
const CAP = 4;
let own: OwnRuntime;
let ses: FaultySes;

beforeAll(async () => {
  ses = await startFaultySes();
  own = await startOwnRuntime('mailfaults', undefined, {
    externalSesUrl: ses.url,
    // Only the mail queues and the SES events feed run: no scheduler, no provisioning pushes.
    backgroundJobs: false,
    queues: true,
    env: {
      MAIL_SEND_RATE: '50',
      MAIL_DAILY_CAP_PER_RESELLER: String(CAP),
      MAIL_CAP_RECHECK_SECONDS: '1',
      MAIL_MAX_ATTEMPTS: '3',
      MAIL_RETRY_BASE_SECONDS: '1',
      LOCAL_QUEUE_VISIBILITY_SECONDS: '10',
    },
  });
}, 120_000);
afterAll(async () => {
  await own?.stop();
  await ses?.stop();
});

async function resellerWithUsers(name: string, emails: string[]) {
  const r = await own.reseller(name, { users: 20 });
  const users: string[] = [];
  for (const [i, email] of emails.entries()) {
    const res = await own.call('POST', '/users', { limits: { storageMb: 10 }, services: {}, personal: { firstName: `F${i}`, lastName: 'L', email } }, r.token);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    users.push(res.body.username);
  }
  return { ...r, users };
}
const storeOf = async (subject: string) => (await sesStore(ses.ses.url)).filter((m) => m.subject === subject);

describe('mail against SES faults', () => {
  it('a throttled SendEmail is retried after a backoff and every recipient gets one e-mail', async () => {
    const r = await resellerWithUsers('throttled', ['t1@example.com', 't2@example.com', 't3@example.com']);
    let throttles = 3;
    ses.fault = () => (throttles-- > 0 ? THROTTLED : undefined);
    const refusedBefore = ses.refused;
    const c = await own.call('POST', '/circulars', { subject: 'Throttled ##username##', text: 'x' }, r.token);
    expect(c.status).toBe(202);
    const done = await circularDone(r, c.body.id, 60_000, (m, p, o) => own.call(m, p, undefined, o?.token));
    expect(done).toMatchObject({ status: 'done', recipients: 3, sent: 3, failed: 0, remaining: 0 });
    expect(ses.refused - refusedBefore).toBe(3);
    const mails = (await sesStore(ses.ses.url)).filter((m) => m.subject.startsWith('Throttled '));
    expect(mails.map((m) => m.destination.to[0]).sort()).toEqual(['t1@example.com', 't2@example.com', 't3@example.com']);
    // The retried message says so: more than one attempt, sent in the end.
    const views = await Promise.all(r.users.map((u) => own.call('GET', `/outbox/c-${c.body.id}-${u}`, undefined, r.token)));
    expect(views.every((v) => v.body.status === 'sent')).toBe(true);
    expect(views.some((v) => v.body.attempts > 1)).toBe(true);
    ses.fault = () => undefined;
  }, 90_000);

  it('a permanent error ends failed with its reason, and so do retries that never succeed; nothing is dropped', async () => {
    const r = await resellerWithUsers('rejects', ['fine@example.com', 'rejected@example.com', 'always-throttled@example.com']);
    ses.fault = (to) =>
      to.includes('rejected@example.com') ? rejected('Email address is not verified.') : to.includes('always-throttled@example.com') ? THROTTLED : undefined;
    const c = await own.call('POST', '/circulars', { subject: 'Rejects', text: 'x' }, r.token);
    const done = await circularDone(r, c.body.id, 60_000, (m, p, o) => own.call(m, p, undefined, o?.token));
    expect(done).toMatchObject({ status: 'done', recipients: 3, sent: 1, failed: 2, remaining: 0 });
    const byUser = Object.fromEntries(done.failures.map((f: any) => [f.to, f.reason]));
    expect(byUser['rejected@example.com']).toBe('MessageRejected: Email address is not verified.');
    expect(byUser['always-throttled@example.com']).toMatch(/^throttled 3 times, last: TooManyRequestsException: Maximum sending rate exceeded\.$/);
    const failedView = await own.call('GET', `/outbox/c-${c.body.id}-${r.users[1]}`, undefined, r.token);
    expect(failedView.body).toMatchObject({ status: 'failed', attempts: 1, reason: 'MessageRejected: Email address is not verified.' });
    expect((await storeOf('Rejects')).map((m) => m.destination.to)).toEqual([['fine@example.com']]);
    const log = await eventually(async () => {
      const l = await own.call('GET', '/account/messages?limit=50', undefined, r.token);
      return l.body.items?.find((m: any) => m.text.startsWith('circular "Rejects"'));
    }, 10_000, 'circular outcome in the message log');
    expect(log).toMatchObject({ type: 'error', text: expect.stringContaining('failed for 2') });
    ses.fault = () => undefined;
  }, 90_000);

  it('the per-reseller daily cap holds mail beyond it until the next day, and then sends it, each once', async () => {
    const emails = Array.from({ length: CAP + 2 }, (_, i) => `cap${i}@example.com`);
    const r = await resellerWithUsers('capped', emails);
    const c = await own.call('POST', '/circulars', { subject: 'Capped', text: 'x' }, r.token);
    await eventually(async () => ((await storeOf('Capped')).length === CAP ? true : undefined), 30_000, `${CAP} mails`);
    // The rest waits: still CAP after a few rechecks, the circular still sending with 2 remaining.
    await new Promise((res) => setTimeout(res, 3000));
    expect(await storeOf('Capped')).toHaveLength(CAP);
    const waiting = await own.call('GET', `/circulars/${c.body.id}`, undefined, r.token);
    expect(waiting.body).toMatchObject({ status: 'sending', sent: CAP, failed: 0, remaining: 2 });
    const notice = await own.call('GET', '/account/messages?limit=50', undefined, r.token);
    expect(notice.body.items.some((m: any) => m.text === `daily limit of ${CAP} circular e-mails reached; the rest is sent after 00:00 UTC`)).toBe(true);
    // Another reseller's mail is not held back by this one's cap.
    const other = await resellerWithUsers('uncapped', ['other@example.com']);
    const oc = await own.call('POST', '/circulars', { subject: 'Other', text: 'x' }, other.token);
    expect((await circularDone(other, oc.body.id, 30_000, (m, p, o) => own.call(m, p, undefined, o?.token))).sent).toBe(1);

    // The next day (dev clock) the rest goes out; nobody gets it twice.
    own.rt.clock.setTo(new Date(own.rt.clock.now().getTime() + 86_400_000));
    const done = await circularDone(r, c.body.id, 30_000, (m, p, o) => own.call(m, p, undefined, o?.token));
    expect(done).toMatchObject({ status: 'done', sent: CAP + 2, failed: 0 });
    const mails = await storeOf('Capped');
    expect(mails.map((m) => m.destination.to[0]).sort()).toEqual([...emails].sort());
    // Waiting for the cap is not an attempt.
    const views = await Promise.all(r.users.map((u) => own.call('GET', `/outbox/c-${c.body.id}-${u}`, undefined, r.token)));
    expect(views.map((v) => v.body.attempts)).toEqual(r.users.map(() => 1));
  }, 120_000);
});
