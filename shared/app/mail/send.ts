/**
 * The sender: one queue message names up to `sendChunk` outbox messages of one reseller. Each is
 * claimed (a conditional write), rendered, paced to the SES rate, sent and recorded. Each message is
 * handed to SES at most once: one whose sender died or lost SES's answer is *in doubt* and is
 * resolved from evidence (resolveDoubt), never simply sent again (docs/mail.md).
 */
import { circularStatus } from '../../domain/mail/circulars';
import { afterFailure, mayCallSes, parseMessageId, resolveDoubt } from '../../domain/mail/outbox';
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
  /** In doubt (sender died, or SES's answer lost): looked at again later. */
  inDoubt: number;
}

export async function processSendWork(deps: MailDeps, work: SendWork, nowMs: () => number = Date.now): Promise<SendOutcome> {
  const { resellerId } = work;
  const settings = deps.mailSettings;
  const outcome: SendOutcome = { sent: 0, failed: 0, retried: 0, skipped: 0, inDoubt: 0 };
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
    let msg: ClaimedMessage;
    if ('inDoubt' in claim) {
      const taken = await resolve(id, claim.inDoubt, token);
      if (!taken) return;
      msg = taken;
    } else msg = claim.claimed;
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
    // No SES call that could outlast the lease: after it, a doubt may be resolved and acted on.
    if (!mayCallSes({ claimedAtMs: msg.claimedAtMs, nowMs: nowMs(), leaseSeconds: settings.leaseSeconds, callMs: settings.sesCallMs })) {
      if (slotDay) await deps.outbox.returnDailySlot(resellerId, slotDay);
      await deps.outbox.release(resellerId, id, token, 'the claim ran out before SES was called', nowMs(), { attempted: false });
      again(id, 1);
      outcome.retried++;
      return;
    }
    let sesMessageId: string;
    try {
      sesMessageId = await deps.mailer.send({ to: [msg.to], replyTo: msg.replyTo, subject: content.subject, text: content.text, ref: { resellerId, messageId: id } });
    } catch (e) {
      const err = e instanceof MailSendError ? e : new MailSendError('unknown', (e as Error).message ?? String(e));
      if (err.kind === 'unknown') {
        // SES may have it: the claim and the daily slot are kept; after the lease the message is in
        // doubt and resolved as a dead sender's would be.
        again(id, delayOf(msg.claimedAtMs + settings.leaseSeconds * 1000 - nowMs() + 1000));
        outcome.inDoubt++;
        return;
      }
      if (slotDay) await deps.outbox.returnDailySlot(resellerId, slotDay);
      const next = afterFailure(err.kind, err.reason, msg.attempts, settings.retry);
      if ('failed' in next) {
        await deps.outbox.recordFailed(resellerId, id, token, next.failed, new Date(nowMs()).toISOString());
        outcome.failed++;
        if (msg.kind === 'registration') await registrationFailed(msg, next.failed);
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
    // Recorded at once: a crash before this record leaves the message in doubt (resolve below).
    if (await deps.outbox.recordSent(resellerId, id, token, sesMessageId, new Date(nowMs()).toISOString())) outcome.sent++;
    else outcome.skipped++;
  };

  const registrationFailed = (msg: Pick<ClaimedMessage, 'username' | 'to'>, reason: string) =>
    deps.messages.write(
      resellerId,
      { type: 'error', text: `registration e-mail to ${msg.username} (${msg.to}) failed: ${reason}`, subject: { user: msg.username } },
      deps.clock.now(),
    );

  /**
   * A message in doubt: SES may have it. Returns the claim to send with only when SES certainly
   * does not have it; otherwise records what the evidence says or looks again later.
   */
  const resolve = async (id: string, doubt: { token: string; claimedAtMs: number }, token: string): Promise<ClaimedMessage | undefined> => {
    const ref = { resellerId, messageId: id };
    const acceptance = deps.sentMail ? await deps.sentMail.find(ref, doubt.claimedAtMs).catch(() => ({ unknown: true as const })) : { unknown: true as const };
    const now = nowMs();
    const at = new Date(now).toISOString();
    const r = resolveDoubt({ claimedAtMs: doubt.claimedAtMs, nowMs: now, leaseSeconds: settings.leaseSeconds, confirmWaitSeconds: settings.confirmWaitSeconds, acceptance });
    if ('accepted' in r) {
      if (await deps.outbox.reconcileSent(resellerId, id, r.accepted, at)) outcome.sent++;
      else outcome.skipped++;
      return undefined;
    }
    if ('waitMs' in r) {
      // SES's Send event (ses-events → reconcileSent) may still come; the queue's delay is at most 15 minutes.
      again(id, delayOf(r.waitMs));
      outcome.inDoubt++;
      return undefined;
    }
    if ('unconfirmed' in r) {
      if (await deps.outbox.recordUnconfirmed(resellerId, id, doubt.token, r.unconfirmed, at)) {
        outcome.failed++;
        const view = await deps.outbox.getMessage(resellerId, id);
        if (view?.kind === 'registration') await registrationFailed(view, r.unconfirmed);
      } else outcome.skipped++;
      return undefined;
    }
    const taken = await deps.outbox.takeOver(resellerId, id, doubt.token, token, now);
    if (!taken) outcome.skipped++;
    return taken;
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
