import type { SNSEvent } from 'aws-lambda';
import { Logger } from '@aws-lambda-powertools/logger';
import { appDeps } from '../deps';
import { handleMailEvent } from '../../shared/app/mail/standing';
import { toMailEvent, type SesEventJson } from '../../shared/adapters/ses/ses-event';

const logger = new Logger({ serviceName: 'reseller-panel-ses-events' });

/**
 * SES's events (configuration set → SNS topic → this function; infra/stacks/mail-events.ts): send
 * events reconcile the outbox, bounces and complaints mark the user. Locally the SES events feed
 * calls this same handler with the same JSON. A failure throws, so SNS retries the delivery.
 */
export async function handler(event: SNSEvent): Promise<void> {
  const deps = await appDeps();
  for (const record of event.Records) {
    let json: SesEventJson;
    try {
      json = JSON.parse(record.Sns.Message) as SesEventJson;
    } catch {
      logger.warn('not an SES event', { messageId: record.Sns.MessageId });
      continue;
    }
    const e = toMailEvent(json);
    if (!e) continue; // not an outbox message, or an event type the outbox does not use
    await handleMailEvent(deps, e);
  }
}
