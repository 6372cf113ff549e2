/** Outgoing e-mail: SES on AWS, aws-ses-v2-local in the embedded runtime. */
export interface MailMessage {
  to: string[];
  subject: string;
  text: string;
  replyTo?: string[];
}

export interface Mailer {
  /** Sends one message; resolves with the provider's message id, rejects when it was not accepted. */
  send(message: MailMessage): Promise<string>;
}
