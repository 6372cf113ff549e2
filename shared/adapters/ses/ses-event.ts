/**
 * SES's event publishing format (configuration set → SNS), as far as the outbox reads it, and its
 * translation to the MailEvent of shared/app/mail/standing.ts. The embedded runtime builds the
 * same JSON for its imitation of the mailbox simulator (infra/local/ses-events-feed.ts).
 */
import type { MailEvent } from '../../app/mail/standing';

export interface SesEventJson {
  eventType: 'Send' | 'Bounce' | 'Complaint' | 'Delivery' | string;
  mail: {
    messageId: string;
    timestamp: string;
    destination?: string[];
    tags?: Record<string, string[]>;
    headers?: { name: string; value: string }[];
  };
  bounce?: { bounceType: string; bounceSubType?: string; timestamp?: string; bouncedRecipients: { emailAddress: string; diagnosticCode?: string }[] };
  complaint?: { timestamp?: string; complaintFeedbackType?: string; complainedRecipients: { emailAddress: string }[] };
}

/** Which outbox message the event is about: the message tags (AWS), else the X-Outbox-Ref header. */
export function outboxRef(mail: SesEventJson['mail']): { resellerId: string; messageId: string } | undefined {
  const reseller = mail.tags?.reseller?.[0];
  const outbox = mail.tags?.outbox?.[0];
  if (reseller && outbox) return { resellerId: reseller, messageId: outbox };
  const header = mail.headers?.find((h) => h.name.toLowerCase() === 'x-outbox-ref')?.value;
  const m = header ? /^([^/\s]+)\/([A-Za-z0-9_-]+)$/.exec(header) : null;
  return m ? { resellerId: m[1] as string, messageId: m[2] as string } : undefined;
}

export function toMailEvent(e: SesEventJson): MailEvent | undefined {
  const ref = outboxRef(e.mail);
  if (!ref) return undefined;
  const base = { ...ref, sesMessageId: e.mail.messageId };
  switch (e.eventType) {
    case 'Send':
      return { type: 'send', ...base, at: e.mail.timestamp };
    case 'Bounce':
      if (!e.bounce) return undefined;
      return {
        type: 'bounce',
        ...base,
        at: e.bounce.timestamp ?? e.mail.timestamp,
        permanent: e.bounce.bounceType === 'Permanent',
        recipients: e.bounce.bouncedRecipients.map((r) => ({
          address: r.emailAddress,
          reason: `${e.bounce?.bounceType}/${e.bounce?.bounceSubType ?? 'General'}${r.diagnosticCode ? `: ${r.diagnosticCode}` : ''}`,
        })),
      };
    case 'Complaint':
      if (!e.complaint) return undefined;
      return {
        type: 'complaint',
        ...base,
        at: e.complaint.timestamp ?? e.mail.timestamp,
        permanent: true,
        recipients: e.complaint.complainedRecipients.map((r) => ({ address: r.emailAddress, reason: `complaint (${e.complaint?.complaintFeedbackType ?? 'not given'})` })),
      };
    default:
      return undefined;
  }
}
