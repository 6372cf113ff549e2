import { SendEmailCommand, type SESClient } from '@aws-sdk/client-ses';
import type { MailMessage, Mailer } from '../../ports/mailer';

/**
 * SES SendEmail (the v1 API, which aws-ses-v2-local also answers). The client is injected; build
 * it with a request timeout, because the local SES does not answer some actions at all.
 */
export class SesMailer implements Mailer {
  constructor(
    private readonly ses: SESClient,
    private readonly from: string,
  ) {}

  async send(m: MailMessage): Promise<string> {
    const out = await this.ses.send(
      new SendEmailCommand({
        Source: this.from,
        Destination: { ToAddresses: m.to },
        ReplyToAddresses: m.replyTo,
        Message: {
          Subject: { Data: m.subject, Charset: 'UTF-8' },
          Body: { Text: { Data: m.text, Charset: 'UTF-8' } },
        },
      }),
    );
    return out.MessageId ?? '';
  }
}
