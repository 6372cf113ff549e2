import { SESClient } from '@aws-sdk/client-ses';
import type { Mailer } from '../../ports/mailer';
import { SesMailer } from './ses-mailer';

/**
 * SES: `SES_ENDPOINT` (the local SES of the embedded runtime) or the region's SES; sender `MAIL_FROM`.
 * The client has request and connection time-outs: aws-ses-v2-local does not answer some actions.
 * Only the functions that send mail import this, so the SES client stays out of the other bundles.
 */
export function mailerFromEnv(env: Record<string, string | undefined>): Mailer {
  const local = env.SES_ENDPOINT
    ? { endpoint: env.SES_ENDPOINT, region: env.AWS_REGION ?? 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }
    : {};
  const ses = new SESClient({ ...local, maxAttempts: 2, requestHandler: { requestTimeout: 5000, connectionTimeout: 2000 } });
  return new SesMailer(ses, env.MAIL_FROM ?? 'no-reply@reseller-panel.example');
}
