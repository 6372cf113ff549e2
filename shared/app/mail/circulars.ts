/**
 * Circulars (the seed's "Circular to All Users"): 1. compose, 2. review the recipients and leave
 * some out, 3. send. Sending answers at once: the request stores the circular and enqueues its first
 * fan-out page; each page of users becomes recipients (one transaction) and send work, and enqueues
 * the next page. Nothing here loops over all users.
 */
import { circularId, circularView, type CircularInput } from '../../domain/mail/circulars';
import { recipientMessageId } from '../../domain/mail/outbox';
import { NotFoundError, ValidationError, type FieldErrors } from '../../domain/errors';
import type { Principal } from '../../ports/identity';
import type { PageRequest } from '../../ports/page';
import type { Recipient } from '../../ports/outbox';
import { resellerOf } from '../actor';
import { MAIL_FANOUT_QUEUE, MAIL_SEND_QUEUE, type FanoutWork, type MailDeps, type SendWork } from './deps';
import { noticeIfDone } from './send';
import { mailValues } from './values';
import { userMailStatus } from './standing';

/** Step 3: validated (tags by the schema, the users left out here), stored, and the fan-out enqueued: 202. */
export async function sendCircular(deps: MailDeps, actor: Principal, input: CircularInput) {
  const resellerId = resellerOf(actor);
  const missing = new Set(await deps.outbox.missingUsers(resellerId, input.exclude));
  if (missing.size) {
    const errors: FieldErrors = {};
    input.exclude.forEach((u, i) => {
      if (missing.has(u)) errors[`exclude[${i}]`] = 'is not one of your users';
    });
    throw new ValidationError('the circular leaves out users that do not exist', errors);
  }
  const now = deps.clock.now();
  const id = circularId(Date.now(), deps.newId());
  // The first page is enqueued first (a second later): if storing then fails, the page finds no
  // circular and ends after the grace; the other order could store a circular nothing ever sends.
  await deps.queue.send(MAIL_FANOUT_QUEUE, [{ resellerId, circularId: id, n: 0, cursor: null, enqueuedAt: Date.now() } satisfies FanoutWork], { delaySeconds: 1 });
  await deps.outbox.createCircular(resellerId, {
    id,
    subject: input.subject,
    text: input.text,
    exclude: input.exclude,
    createdAt: now.toISOString(),
    pages: 0,
    fanoutDone: false,
    recipients: 0,
    sent: 0,
    failed: 0,
    skipped: 0,
    excluded: 0,
  });
  await deps.messages.write(resellerId, { type: 'notice', text: `circular "${input.subject}" queued`, subject: { circular: id } }, now);
  return { id, status: 'preparing' as const };
}

export async function getCircular(deps: MailDeps, actor: Principal, id: string, failures: PageRequest) {
  const resellerId = resellerOf(actor);
  const head = await deps.outbox.getCircular(resellerId, id);
  if (!head) throw new NotFoundError('circular not found');
  // A cursor is always checked (a crafted one is a 400 naming it), even when nothing failed yet.
  const page = head.failed || failures.cursor ? await deps.outbox.failures(resellerId, id, failures) : { items: [], nextCursor: null };
  return { ...circularView(head), failures: page.items, failuresCursor: page.nextCursor };
}

export async function listCirculars(deps: MailDeps, actor: Principal, page: PageRequest) {
  const out = await deps.outbox.listCirculars(resellerOf(actor), page);
  return { items: out.items.map(circularView), nextCursor: out.nextCursor };
}

/** Step 2: the recipients to review, a page at a time; bounced and complaining addresses are shown as skipped. */
export async function reviewRecipients(deps: MailDeps, actor: Principal, page: PageRequest) {
  const out = await deps.users.list(resellerOf(actor), page);
  return {
    items: out.items.map((u) => {
      const mailStatus = userMailStatus(u);
      return { username: u.username, name: `${u.personal.firstName} ${u.personal.lastName}`, email: u.personal.email, mailStatus, willReceive: mailStatus === 'ok' };
    }),
    nextCursor: out.nextCursor,
  };
}

/**
 * One fan-out page: a page of users becomes recipients (one transaction, conditioned on the page
 * number, so a redelivered page adds nothing), then send work for them and the next page. A page
 * recorded before is read back and its work enqueued again (its first delivery may have died before).
 */
export async function processFanoutWork(deps: MailDeps, work: FanoutWork): Promise<void> {
  const { resellerId, circularId: id, n } = work;
  const settings = deps.mailSettings;
  const head = await deps.outbox.getCircular(resellerId, id);
  if (!head) {
    if (Date.now() - work.enqueuedAt < settings.missingGraceSeconds * 1000) throw new Error(`circular ${id} is not stored yet`);
    return; // the request that enqueued it did not store it
  }
  if (head.pages < n) throw new Error(`circular ${id}: page ${n} before page ${head.pages}`);
  if (head.pages === n) {
    const body = await deps.outbox.getCircularBody(resellerId, id);
    const reseller = await deps.resellers.get(resellerId);
    if (!body || !reseller) return;
    const exclude = new Set(body.exclude);
    const users = await deps.users.list(resellerId, { limit: settings.fanoutPageSize, cursor: work.cursor ?? undefined });
    const recipients: Recipient[] = [];
    let excluded = 0;
    let skipped = 0;
    for (const u of users.items) {
      if (exclude.has(u.username)) excluded++;
      else if (userMailStatus(u) !== 'ok') skipped++;
      else recipients.push({ username: u.username, to: u.personal.email, values: mailValues(u, reseller) });
    }
    const recorded = await deps.outbox.recordPage(resellerId, id, { n, recipients, excluded, skipped, next: users.nextCursor });
    if (recorded) return enqueuePage(deps, work, recipients.map((r) => r.username), users.nextCursor, true);
  }
  // Recorded before (a redelivery): enqueue its work again; the next page only if it is not recorded yet.
  const page = await deps.outbox.getPage(resellerId, id, n);
  const now = await deps.outbox.getCircular(resellerId, id);
  if (page) await enqueuePage(deps, work, page.usernames, page.next, (now?.pages ?? n + 1) === n + 1);
}

async function enqueuePage(deps: MailDeps, work: FanoutWork, usernames: string[], next: string | null, withNext: boolean) {
  const { resellerId, circularId: id } = work;
  const chunk = deps.mailSettings.sendChunk;
  const sends: SendWork[] = [];
  for (let i = 0; i < usernames.length; i += chunk) {
    sends.push({ resellerId, ids: usernames.slice(i, i + chunk).map((u) => recipientMessageId(id, u)), enqueuedAt: Date.now() });
  }
  if (sends.length) await deps.queue.send(MAIL_SEND_QUEUE, sends);
  if (next && withNext) {
    await deps.queue.send(MAIL_FANOUT_QUEUE, [{ resellerId, circularId: id, n: work.n + 1, cursor: next, enqueuedAt: Date.now() } satisfies FanoutWork]);
  }
  // A circular whose last page had no one left to send to is done here.
  if (!next) await noticeIfDone(deps, resellerId, id);
}
