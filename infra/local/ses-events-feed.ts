/**
 * The embedded runtime's stand-in for SES event publishing: it reads what the local SES accepted
 * (`GET /store`) and, for every outbox message, delivers the event SES would publish to the same
 * handler the SNS topic calls on AWS (functions/events/ses-events.ts): a Send event for each, and,
 * as SES's mailbox simulator does, a Bounce for mail to bounce@simulator.amazonses.com and a
 * Complaint for mail to complaint@simulator.amazonses.com.
 *
 * The feed reads the store, not the sender: an e-mail accepted by the local SES is reported even
 * when the sender died right after, which is what lets the outbox reconcile that window.
 */
import type { SNSEvent } from 'aws-lambda';
import type { SesEventJson } from '../../shared/adapters/ses/ses-event';
import { readLocalSesStore, type StoredEmail } from '../../shared/adapters/ses/local-ses-lookup';

export const SIMULATOR_BOUNCE = 'bounce@simulator.amazonses.com';
export const SIMULATOR_COMPLAINT = 'complaint@simulator.amazonses.com';

/** The events SES would publish for one accepted e-mail. */
export function eventsFor(e: StoredEmail): SesEventJson[] {
  const timestamp = new Date(e.at * 1000).toISOString();
  const destination = [...e.destination.to, ...e.destination.cc, ...e.destination.bcc];
  const mail = { messageId: e.messageId, timestamp, destination, headers: e.headers ?? [] };
  const out: SesEventJson[] = [{ eventType: 'Send', mail }];
  const lower = destination.map((d) => d.toLowerCase());
  const bounced = destination.filter((_, i) => lower[i] === SIMULATOR_BOUNCE);
  if (bounced.length) {
    out.push({
      eventType: 'Bounce',
      mail,
      bounce: {
        bounceType: 'Permanent',
        bounceSubType: 'General',
        timestamp,
        bouncedRecipients: bounced.map((emailAddress) => ({ emailAddress, diagnosticCode: 'smtp; 550 5.1.1 user unknown' })),
      },
    });
  }
  const complained = destination.filter((_, i) => lower[i] === SIMULATOR_COMPLAINT);
  if (complained.length) {
    out.push({ eventType: 'Complaint', mail, complaint: { timestamp, complaintFeedbackType: 'abuse', complainedRecipients: complained.map((emailAddress) => ({ emailAddress })) } });
  }
  return out;
}

export const snsEventOf = (events: SesEventJson[]): SNSEvent => ({
  Records: events.map((e, i) => ({
    EventSource: 'aws:sns',
    EventVersion: '1.0',
    EventSubscriptionArn: 'arn:aws:sns:local:000000000000:ses-events:local',
    Sns: {
      Type: 'Notification',
      MessageId: `${e.mail.messageId}-${e.eventType}-${i}`,
      TopicArn: 'arn:aws:sns:local:000000000000:ses-events',
      Subject: '',
      Message: JSON.stringify(e),
      Timestamp: new Date().toISOString(),
      SignatureVersion: '1',
      Signature: '',
      SigningCertUrl: '',
      UnsubscribeUrl: '',
      MessageAttributes: {},
    },
  })),
});

export class SesEventsFeed {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private seen = new Map<string, number>();
  private since = 0;

  constructor(
    private readonly sesUrl: string,
    private readonly deliver: (event: SNSEvent) => Promise<void>,
    private readonly intervalMs = 250,
    private readonly log: (line: string) => void = () => undefined,
  ) {}

  start(): void {
    const tick = () => {
      this.running = this.poll()
        .then(() => undefined)
        .catch((e: Error) => this.log(`SES events feed: ${e.message}`))
        .finally(() => {
          if (this.timer) this.timer = setTimeout(tick, this.intervalMs);
        });
    };
    this.timer = setTimeout(tick, this.intervalMs);
  }

  async stop(): Promise<void> {
    const t = this.timer;
    this.timer = undefined;
    if (t) clearTimeout(t);
    await this.running;
  }

  /** Reads what the store accepted since the last poll and delivers its events (each e-mail once). */
  async poll(): Promise<number> {
    const emails = await readLocalSesStore(this.sesUrl, this.since);
    let delivered = 0;
    for (const e of emails) {
      if (this.seen.has(e.messageId)) continue;
      if (e.headers?.some((h) => h.name.toLowerCase() === 'x-outbox-ref')) {
        await this.deliver(snsEventOf(eventsFor(e))); // throws: the e-mail stays unseen, the next poll tries again
        delivered++;
      }
      this.seen.set(e.messageId, e.at);
      this.since = Math.max(this.since, e.at);
    }
    // `since` is in whole seconds: keep the ids of the current second, forget older ones.
    for (const [id, at] of this.seen) if (at < this.since) this.seen.delete(id);
    return delivered;
  }
}
