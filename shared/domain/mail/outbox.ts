/**
 * The outbox: every e-mail the product sends is a stored message with an id, sent in the background
 * (shared/app/mail/send.ts) and recorded. Each is handed to SES at most once. Its life (docs/mail.md):
 *
 *   queued ──claim──▶ sending ──SES accepted──▶ sent (SES message id)
 *     ▲                 │  ├──permanent error / too many attempts──▶ failed (reason)
 *     │                 │  └──in doubt (sender died, or no answer), see resolveDoubt:
 *     │                 │       SES has it ──▶ sent · SES lacks it ──▶ taken over, sent
 *     │                 │       cannot tell ──▶ wait for SES's Send event ──▶ sent,
 *     │                 │                       or after the wait failed (unconfirmed) ──late Send event──▶ sent
 *     └──throttled, transient error (attempts + 1, retried after a backoff)
 *
 * A claim is a conditional write on a queued message that is due, so two deliveries of the same
 * work never both send. A `sending` message is never simply claimed again: its sender may have
 * handed it to SES (SES's SendEmail has no idempotency token), so it is resolved from evidence.
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

/**
 * A sender calls SES only if the call ends (its request timeout) inside its claim's lease: a
 * claim found after the lease then has no call in flight, and resolveDoubt may act on evidence.
 */
export function mayCallSes(a: { claimedAtMs: number; nowMs: number; leaseSeconds: number; callMs: number }): boolean {
  return a.nowMs + a.callMs <= a.claimedAtMs + a.leaseSeconds * 1000;
}

/** What SES has of a message, as far as can be told (the SentMailLookup port; on AWS always unknown). */
export type SentMailEvidence =
  /** SES has it: its message id. */
  | { accepted: string }
  /** SES certainly does not have it (it has been up and keeping its store since before the claim). */
  | { absent: true }
  /** Cannot tell. */
  | { unknown: true };

export type DoubtResolution =
  /** SES has it: record it sent with this SES message id, send nothing. */
  | { accepted: string }
  /** SES certainly never had it: take the claim over and send. */
  | { sendAgain: true }
  /** Not yet decidable: look again after this long (the lease is still running, or SES's Send event may still come). */
  | { waitMs: number }
  /** The wait for SES's Send event is over: the message ends failed, not sent again. */
  | { unconfirmed: string };

/**
 * A message `sending` under a claim of `claimedAtMs` whose outcome nobody recorded (its sender died,
 * or SES's answer was lost). Until the lease ends its sender may still be at work; after it, the
 * evidence decides; without evidence SES's Send event is waited for until lease + confirmWait.
 */
export function resolveDoubt(a: {
  claimedAtMs: number;
  nowMs: number;
  leaseSeconds: number;
  confirmWaitSeconds: number;
  acceptance: SentMailEvidence;
}): DoubtResolution {
  const leaseEnd = a.claimedAtMs + a.leaseSeconds * 1000;
  if (a.nowMs <= leaseEnd) return { waitMs: leaseEnd - a.nowMs + 1 };
  if ('accepted' in a.acceptance) return { accepted: a.acceptance.accepted };
  if ('absent' in a.acceptance) return { sendAgain: true };
  const waitEnd = leaseEnd + a.confirmWaitSeconds * 1000;
  if (a.nowMs < waitEnd) return { waitMs: waitEnd - a.nowMs };
  return {
    unconfirmed: `outcome unconfirmed: SES may or may not have accepted it (no answer, no Send event within ${a.leaseSeconds + a.confirmWaitSeconds} s); not sent again, so that it arrives at most once`,
  };
}
