/**
 * The outbox: every e-mail the product sends is a stored message with an id, sent in the background
 * (shared/app/mail/send.ts) and recorded. Its life (docs/mail.md):
 *
 *   queued ──claim──▶ sending ──SES accepted──▶ sent (SES message id)
 *     ▲                 │  └──permanent error / too many attempts──▶ failed (reason)
 *     └──throttled, transient error (attempts + 1, retried after a backoff)
 *
 * A claim is a conditional write (queued, or sending with a claim older than the lease), so two
 * deliveries of the same work never both send. A claim older than the lease is a sender that died;
 * the message is sent again only if SES's send event has not meanwhile recorded it as sent.
 */

export const OUTBOX_STATUSES = ['queued', 'sending', 'sent', 'failed'] as const;
export type OutboxStatus = (typeof OUTBOX_STATUSES)[number];

/** What a message is: a registration e-mail (one user) or one recipient of a circular. */
export type OutboxKind = 'registration' | 'circular';

/**
 * Message ids, safe as SES tag values (letters, digits, `-`): `m-<id>` for a single message,
 * `c-<circularId>-<username>` for a circular's recipient (so redelivered fan-out finds the same one).
 */
export const singleMessageId = (id: string) => `m-${id}`;
export const recipientMessageId = (circularId: string, username: string) => `c-${circularId}-${username}`;

export type ParsedMessageId = { kind: 'registration'; id: string } | { kind: 'circular'; circularId: string; username: string };

export function parseMessageId(messageId: string): ParsedMessageId | undefined {
  let m = /^m-([a-z0-9]{1,40})$/.exec(messageId);
  if (m) return { kind: 'registration', id: messageId };
  m = /^c-([a-z0-9]{1,40})-(web[0-9]{1,12})$/.exec(messageId);
  if (m) return { kind: 'circular', circularId: m[1] as string, username: m[2] as string };
  return undefined;
}

export interface RetryPolicy {
  /** Attempts before a throttled or transient failure becomes `failed`. */
  maxAttempts: number;
  baseSeconds: number;
  maxSeconds: number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 8, baseSeconds: 2, maxSeconds: 900 };

/** Delay before attempt `attempts + 1` (exponential, capped at SQS's longest delay of 15 minutes). */
export function retryDelaySeconds(attempts: number, policy: RetryPolicy): number {
  return Math.min(policy.maxSeconds, 900, policy.baseSeconds * 2 ** Math.max(0, attempts - 1));
}

/**
 * What to do after SES refused a message on attempt `attempts` (1 the first time): retry after a
 * delay, or give up with the reason that the message and the circular show.
 */
export function afterFailure(
  kind: 'throttled' | 'transient' | 'permanent',
  reason: string,
  attempts: number,
  policy: RetryPolicy,
): { retryInSeconds: number } | { failed: string } {
  if (kind === 'permanent') return { failed: reason };
  if (attempts >= policy.maxAttempts) return { failed: `${kind} ${attempts} times, last: ${reason}` };
  return { retryInSeconds: retryDelaySeconds(attempts, policy) };
}

/** The user's standing with SES: bounced and complained addresses are skipped until the e-mail changes. */
export const MAIL_STATUSES = ['ok', 'bounced', 'complained'] as const;
export type MailStatus = (typeof MAIL_STATUSES)[number];

export interface MailStanding {
  status: Exclude<MailStatus, 'ok'>;
  /** The address SES reported (the mark holds only while the user keeps it). */
  address: string;
  at: string;
  reason: string;
}
