/**
 * What SES reports after a send: the send itself (reconciles a message whose sender died after SES
 * accepted it), bounces and complaints (mark the user, so later circulars skip the address, and
 * note it in the message log). The same use case runs for SES's events on AWS (SNS → Lambda) and
 * for the embedded runtime's imitation of SES's mailbox simulator (infra/local/ses-events-feed.ts).
 */
import { currentStanding, type HostedUser } from '../../domain/controlpanel/users';
import type { MailStatus } from '../../domain/mail/outbox';
import { parseMessageId } from '../../domain/mail/outbox';
import type { MailDeps } from './deps';
import { noticeIfDone } from './send';

/** The user's mail status: a mark counts only while the user still has the address it was for. */
export function userMailStatus(u: Pick<HostedUser, 'mailStatus' | 'personal'>): MailStatus {
  return currentStanding(u)?.status ?? 'ok';
}

export type MailEvent =
  | { type: 'send'; resellerId: string; messageId: string; sesMessageId: string; at: string }
  | {
      type: 'bounce' | 'complaint';
      resellerId: string;
      messageId: string;
      sesMessageId: string;
      at: string;
      /** Permanent bounces and complaints mark the user; transient bounces are only noted. */
      permanent: boolean;
      recipients: { address: string; reason: string }[];
    };

export async function handleMailEvent(deps: Pick<MailDeps, 'outbox' | 'messages' | 'clock'>, e: MailEvent): Promise<void> {
  const parsed = parseMessageId(e.messageId);
  if (!parsed) return;
  if (e.type === 'send') {
    // Usually recorded by the sender already (the condition fails and nothing changes).
    if ((await deps.outbox.reconcileSent(e.resellerId, e.messageId, e.sesMessageId, e.at)) && parsed.kind === 'circular') {
      await noticeIfDone(deps as MailDeps, e.resellerId, parsed.circularId);
    }
    return;
  }
  for (const r of e.recipients) {
    const what = e.type === 'complaint' ? 'complained about' : e.permanent ? 'bounced' : 'bounced for now';
    const text = `e-mail to ${r.address} ${what} (${e.messageId}): ${r.reason}`;
    if (!e.permanent) {
      await deps.messages.write(e.resellerId, { type: 'notice', text }, deps.clock.now());
      continue;
    }
    await deps.outbox.recordStanding(e.resellerId, e.messageId, { status: e.type === 'complaint' ? 'complained' : 'bounced', address: r.address, at: e.at, reason: r.reason }, text);
  }
}
