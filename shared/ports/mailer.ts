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

/** Why SES did not accept a message: `throttled` and `transient` are retried, `permanent` is not. */
export type MailFailureKind = 'throttled' | 'transient' | 'permanent';

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
