import { SESv2Client } from '@aws-sdk/client-sesv2';
import type { Mailer } from '../../ports/mailer';
import { SesV2Mailer } from './sesv2-mailer';
import { SES_CONNECTION_TIMEOUT_MS, SES_REQUEST_TIMEOUT_MS } from '../../app/mail/deps';

/**
 * SES (v2 API): `SES_ENDPOINT` (the local SES of the embedded runtime) or the region's SES; sender
 * `MAIL_FROM`; `SES_CONFIGURATION_SET` names the set whose events report sends, bounces and
 * complaints. Only the functions that send mail import this, so the SES client stays out of the
 * other bundles.
 */
export function mailerFromEnv(env: Record<string, string | undefined>): Mailer {
  const local = env.SES_ENDPOINT
    ? { endpoint: env.SES_ENDPOINT, region: env.AWS_REGION ?? 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }
    : {};
  // A request timeout that throws (without throwOnRequestTimeout the SDK only logs a warning and
  // waits on). The SDK's own retries are off: the outbox retries throttling and transient errors
  // itself, with its own backoff and a record of every attempt. The sender relies on the request
  // timeout bounding a call (MailSettings.sesCallMs): it starts one only if it ends inside its lease.
  const ses = new SESv2Client({
    ...local,
    maxAttempts: 1,
    requestHandler: { requestTimeout: SES_REQUEST_TIMEOUT_MS, connectionTimeout: SES_CONNECTION_TIMEOUT_MS, throwOnRequestTimeout: true },
  });
  return new SesV2Mailer(ses, env.MAIL_FROM ?? 'no-reply@reseller-panel.example', env.SES_CONFIGURATION_SET || undefined);
}
