import { SendEmailCommand, type SESv2Client } from '@aws-sdk/client-sesv2';
import { MailSendError, type MailFailureKind, type MailMessage, type Mailer } from '../../ports/mailer';

/** SES v2 errors that say "not now" (rate or quota) rather than "never". */
const THROTTLED = new Set(['TooManyRequestsException', 'LimitExceededException', 'Throttling', 'ThrottlingException']);
/** The account or sending is paused, or SES failed: the same message may go through later. */
const TRANSIENT = new Set(['SendingPausedException', 'AccountSuspendedException', 'InternalFailure', 'ServiceUnavailable', 'TimeoutError', 'RequestTimeout']);

/**
 * Errors raised before the request could reach SES (no connection, no name, a refused certificate):
 * SES never got it, so sending again cannot make a duplicate.
 */
const CONNECT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);
function beforeRequest(err: { code?: string; syscall?: string; message?: string }): boolean {
  const code = err.code ?? '';
  if (CONNECT_CODES.has(code) || err.syscall === 'connect' || err.syscall === 'getaddrinfo') return true;
  if (/CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER/.test(code)) return true;
  // The SDK's connection timeout (connectionTimeout): the socket never connected.
  return /did not establish a connection/.test(err.message ?? '');
}

/**
 * How a failed SendEmail is treated. SES answered: throttling is `throttled`, 5xx and the pauses
 * above `transient`, any other client error (4xx) `permanent`. No answer (no HTTP status): `transient`
 * only when the request never left (beforeRequest), else `unknown`: SES may have accepted it.
 */
export function classifySesError(e: unknown): MailSendError {
  const err = e as { name?: string; message?: string; code?: string; syscall?: string; $metadata?: { httpStatusCode?: number }; $retryable?: unknown };
  const name = err.name ?? err.code ?? 'Error';
  const status = err.$metadata?.httpStatusCode;
  let kind: MailFailureKind;
  if (THROTTLED.has(name) || status === 429) kind = 'throttled';
  else if (status === undefined) kind = beforeRequest(err) ? 'transient' : 'unknown';
  else if (TRANSIENT.has(name) || err.$retryable || status >= 500) kind = 'transient';
  else kind = 'permanent';
  const message = (err.message ?? '').replace(/\s+/g, ' ').slice(0, 300);
  return new MailSendError(kind, message && message !== name ? `${name}: ${message}` : name);
}

/** SES message tag values may hold only letters, digits, `_` and `-`. */
const tagValue = (v: string) => v.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 256);

/**
 * SendEmail of the SES v2 API (simple content, UTF-8 text). The client is injected; build it with
 * a request timeout (mailer-from-env.ts). The configuration set, when given, publishes the
 * send, bounce and complaint events that functions/events/ses-events.ts handles.
 */
export class SesV2Mailer implements Mailer {
  constructor(
    private readonly ses: SESv2Client,
    private readonly from: string,
    private readonly configurationSet?: string,
  ) {}

  async send(m: MailMessage): Promise<string> {
    try {
      const out = await this.ses.send(
        new SendEmailCommand({
          FromEmailAddress: this.from,
          Destination: { ToAddresses: m.to },
          ReplyToAddresses: m.replyTo,
          ConfigurationSetName: this.configurationSet,
          EmailTags: m.ref
            ? [
                { Name: 'reseller', Value: tagValue(m.ref.resellerId) },
                { Name: 'outbox', Value: tagValue(m.ref.messageId) },
              ]
            : undefined,
          Content: {
            Simple: {
              Subject: { Data: m.subject, Charset: 'UTF-8' },
              Body: { Text: { Data: m.text, Charset: 'UTF-8' } },
              Headers: m.ref ? [{ Name: 'X-Outbox-Ref', Value: `${m.ref.resellerId}/${m.ref.messageId}` }] : undefined,
            },
          },
        }),
      );
      // Accepted or not, SES did not say: treated as a lost answer.
      if (!out.MessageId) throw new MailSendError('unknown', 'SES answered without a message id');
      return out.MessageId;
    } catch (e) {
      throw e instanceof MailSendError ? e : classifySesError(e);
    }
  }
}
