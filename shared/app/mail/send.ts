/**
 * The sender: one queue message names up to `sendChunk` outbox messages of one reseller. Each is
 * claimed (a conditional write), rendered, paced to the SES rate, sent and recorded, one after the
 * other. The message is sent at most once per claim; see docs/mail.md for the one window where a
 * crash can still cause a duplicate (after SES accepted, before the record) and how it is narrowed.
 */
import { circularStatus } from '../../domain/mail/circulars';
import { afterFailure, parseMessageId } from '../../domain/mail/outbox';
import { CIRCULAR_TAGS, renderTags } from '../../domain/tags';
import { MailSendError } from '../../ports/mailer';
import type { ClaimedMessage } from '../../ports/outbox';
import { MAIL_SEND_QUEUE, textContext, type MailDeps, type SendWork } from './deps';
import { webhookEvent } from '../webhooks/deps';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** SQS delays are whole seconds, at most 15 minutes. */
const delayOf = (ms: number) => Math.min(900, Math.max(1, Math.ceil(ms / 1000)));

export interface SendOutcome {
  sent: number;
  failed: number;
  retried: number;
  skipped: number;
}

export async function processSendWork(deps: MailDeps, work: SendWork, nowMs: () => number = Date.now): Promise<SendOutcome> {
  const { resellerId } = work;
  const settings = deps.mailSettings;
  const outcome: SendOutcome = { sent: 0, failed: 0, retried: 0, skipped: 0 };
  /** Messages to deliver again later, by delay in seconds. */
  const later = new Map<number, string[]>();
  const again = (id: string, seconds: number) => later.set(seconds, [...(later.get(seconds) ?? []), id]);
  const bodies = new Map<string, Promise<{ subject: string; text: string } | undefined>>();
  const circulars = new Set<string>();

  /** Held back by the daily cap: the ids not started yet wait with it (seconds). */
  let capped: number | undefined;
  const one = async (id: string): Promise<void> => {
    const parsed = parseMessageId(id);
    if (!parsed) return;
    if (parsed.kind === 'circular') circulars.add(parsed.circularId);
    const token = deps.newId();
    const claim = await deps.outbox.claim(resellerId, id, token, nowMs(), settings.leaseSeconds);
    if ('finished' in claim) {
      outcome.skipped++;
      return;
    }
    if ('missing' in claim) {
      // Enqueued before the request wrote it: wait a while; after the grace the request failed.
      if (nowMs() - work.enqueuedAt < settings.missingGraceSeconds * 1000) again(id, 5);
      else outcome.skipped++;
      return;
    }
    if ('busyUntilMs' in claim) {
      again(id, delayOf(claim.busyUntilMs - nowMs()));
      return;
    }
    const msg = claim.claimed;

    // The cap counts e-mails SES accepted: a slot taken for a send SES refuses is given back.
    let slotDay: string | undefined;
    if (msg.kind === 'circular') {
      const day = deps.clock.now().toISOString().slice(0, 10);
      slotDay = day;
      if (!(await deps.outbox.takeDailySlot(resellerId, day, settings.dailyCapPerReseller))) {
        // Over the reseller's daily cap: this and the rest wait for the next UTC day, looking again
        // every capRecheckSeconds (a queue delay is at most 15 minutes anyway); not an attempt.
        const midnight = Date.parse(`${day}T00:00:00Z`) + 86_400_000;
        const wait = Math.max(1000, Math.min(midnight - deps.clock.now().getTime(), settings.capRecheckSeconds * 1000));
        await deps.outbox.release(resellerId, id, token, 'daily cap reached; waits for the next day', nowMs() + wait, { attempted: false });
        again(id, delayOf(wait));
        capped = delayOf(wait);
        if (await deps.outbox.markCapNoticed(resellerId, day)) {
          await deps.messages.write(
            resellerId,
            { type: 'notice', text: `daily limit of ${settings.dailyCapPerReseller} circular e-mails reached; the rest is sent after 00:00 UTC` },
            deps.clock.now(),
          );
        }
        return;
      }
    }

    const content = await render(deps, resellerId, msg, parsed, bodies);
    if (!content) {
      await deps.outbox.recordFailed(resellerId, id, token, 'the circular is gone', new Date(nowMs()).toISOString());
      outcome.failed++;
      return;
    }
    const wait = settings.pacer.reserve(nowMs());
    if (wait > 0) await sleep(wait);
    let sesMessageId: string;
    try {
      sesMessageId = await deps.mailer.send({ to: [msg.to], replyTo: msg.replyTo, subject: content.subject, text: content.text, ref: { resellerId, messageId: id } });
    } catch (e) {
      const err = e instanceof MailSendError ? e : new MailSendError('transient', (e as Error).message ?? String(e));
      if (slotDay) await deps.outbox.returnDailySlot(resellerId, slotDay);
      const next = afterFailure(err.kind, err.reason, msg.attempts, settings.retry);
      if ('failed' in next) {
        await deps.outbox.recordFailed(resellerId, id, token, next.failed, new Date(nowMs()).toISOString());
        outcome.failed++;
        if (msg.kind === 'registration') {
          await deps.messages.write(
            resellerId,
            { type: 'error', text: `registration e-mail to ${msg.username} (${msg.to}) failed: ${next.failed}`, subject: { user: msg.username } },
            deps.clock.now(),
          );
        }
      } else {
        await deps.outbox.release(resellerId, id, token, `${err.kind}: ${err.reason}`, nowMs() + next.retryInSeconds * 1000);
        // The whole process backs off a little (SES's rate is per second); the message itself waits
        // its backoff in the queue, so a long backoff never holds a sender past its timeout.
        if (err.kind === 'throttled') settings.pacer.pause(nowMs(), Math.min(next.retryInSeconds, 5) * 1000);
        again(id, delayOf(next.retryInSeconds * 1000));
        outcome.retried++;
      }
      return;
    }
    // Recorded at once: the window in which a crash leaves an accepted message unrecorded is this call.
    if (await deps.outbox.recordSent(resellerId, id, token, sesMessageId, new Date(nowMs()).toISOString())) outcome.sent++;
    else outcome.skipped++;
  };

  // A few sends at once (MAIL_SEND_PARALLEL), all through the one pacer of the process: the round
  // trips of one message (claim, daily slot, record) overlap the others' instead of adding up.
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.max(1, Math.min(settings.sendParallel, work.ids.length)) }, async () => {
      while (capped === undefined && next < work.ids.length) await one(work.ids[next++] as string);
    }),
  );
  if (capped !== undefined) for (const rest of work.ids.slice(next)) again(rest, capped);

  for (const [seconds, ids] of later) {
    await deps.queue.send(MAIL_SEND_QUEUE, [{ resellerId, ids, enqueuedAt: work.enqueuedAt } satisfies SendWork], { delaySeconds: seconds });
  }
  for (const circularId of circulars) await noticeIfDone(deps, resellerId, circularId);
  return outcome;
}

async function render(
  deps: MailDeps,
  resellerId: string,
  msg: ClaimedMessage,
  parsed: NonNullable<ReturnType<typeof parseMessageId>>,
  bodies: Map<string, Promise<{ subject: string; text: string } | undefined>>,
): Promise<{ subject: string; text: string } | undefined> {
  if (parsed.kind === 'registration') {
    const text = msg.encryptedText ? (await deps.keyCipher.decrypt(msg.encryptedText, textContext(resellerId, msg.id))).toString('utf8') : '';
    return { subject: msg.subject ?? '', text };
  }
  if (!bodies.has(parsed.circularId)) bodies.set(parsed.circularId, deps.outbox.getCircularBody(resellerId, parsed.circularId));
  const body = await bodies.get(parsed.circularId);
  if (!body) return undefined;
  const values = msg.values ?? {};
  return { subject: renderTags(body.subject, values, CIRCULAR_TAGS), text: renderTags(body.text, values, CIRCULAR_TAGS) };
}

/** The circular's outcome in the message log, once, when its last recipient is recorded. */
export async function noticeIfDone(deps: MailDeps, resellerId: string, circularId: string): Promise<void> {
  const head = await deps.outbox.getCircular(resellerId, circularId);
  if (!head || head.doneNoticed || circularStatus(head) !== 'done') return;
  const finished = webhookEvent(deps, resellerId, 'circular.finished', { circularId, subject: head.subject, recipients: head.recipients, sent: head.sent, failed: head.failed, skipped: head.skipped });
  if (!(await deps.outbox.markDoneNoticed(resellerId, circularId, [finished]))) return;
  const parts = [`sent to ${head.sent} users`];
  if (head.failed) parts.push(`failed for ${head.failed} (see GET /circulars/${circularId})`);
  if (head.skipped) parts.push(`${head.skipped} skipped (bounced or complained)`);
  await deps.messages.write(
    resellerId,
    { type: head.failed ? 'error' : 'notice', text: `circular "${head.subject}" ${parts.join(', ')}`, subject: { circular: circularId } },
    deps.clock.now(),
  );
}
