import type { SentMailEvidence } from '../domain/mail/outbox';

/** Outgoing e-mail: SES (v2 API) on AWS, aws-ses-v2-local in the embedded runtime. */
export interface MailMessage {
  to: string[];
  subject: string;
  text: string;
  replyTo?: string[];
  /**
   * Which outbox message this is: sent as SES message tags (they come back in SES's events) and
   * as an `X-Outbox-Ref` header (the local SES keeps headers), so a send, bounce or complaint event
   * finds the outbox message and the user it was for.
   */
  ref?: { resellerId: string; messageId: string };
}

/**
 * Why a send did not end with SES's message id. `throttled` and `transient` (SES answered, or never
 * got the request) are retried, `permanent` is not. `unknown`: the request may have reached SES but
 * no answer came back (a timeout after it was written, a reset socket, a 200 without an id): SES may
 * have accepted it, so it is not sent again until that is resolved (docs/mail.md, "in doubt").
 */
export type MailFailureKind = 'throttled' | 'transient' | 'permanent' | 'unknown';

export class MailSendError extends Error {
  constructor(
    readonly kind: MailFailureKind,
    /** A short reason for the message log and the circular's failures, e.g. `MessageRejected: Email address is not verified`. */
    readonly reason: string,
  ) {
    super(reason);
    this.name = 'MailSendError';
  }
}

export interface Mailer {
  /** Sends one message; resolves with the provider's message id, rejects with a MailSendError. */
  send(message: MailMessage): Promise<string>;
}

export type { SentMailEvidence };

/**
 * Whether SES accepted one of our messages, asked after its sender died or lost the answer.
 * SES itself cannot be asked (on AWS there is no lookup); the embedded runtime's local SES can
 * (shared/adapters/ses/local-ses-lookup.ts).
 */
export interface SentMailLookup {
  /** Looks for the message by its outbox reference among what SES accepted since `sinceMs`. */
  find(ref: { resellerId: string; messageId: string }, sinceMs: number): Promise<SentMailEvidence>;
}
