import type { CoreDeps } from '../deps';
import type { KeyCipher } from '../../ports/key-cipher';
import type { WebhookStore } from '../../ports/webhooks';
import type { WorkQueue } from '../../ports/work-queue';
import type { WebhookSender } from '../../adapters/webhook-http';
import { DEFAULT_DELIVERY, newEventId, type DeliveryPolicy, type WebhookEvent, type WebhookEventType } from '../../domain/webhooks';

/** The work queues of webhooks (infra/queues-manifest.ts): events fanned out to endpoints, and attempts. */
export const WEBHOOK_FANOUT_QUEUE = 'webhook-fanout';
export const WEBHOOK_DELIVER_QUEUE = 'webhook-deliver';

export interface WebhookSettings {
  delivery: DeliveryPolicy;
  /** How long an attempt is held before another consumer may take it over (the timeout and a margin). */
  leaseMs: number;
  /** The sweeper fans out events older than this that the commit observer did not announce. */
  sweepAfterMs: number;
}

export function webhookSettingsFromEnv(env: Record<string, string | undefined>): WebhookSettings {
  const retry = env.WEBHOOK_RETRY_SECONDS;
  const retrySeconds = retry === undefined || retry === '' ? DEFAULT_DELIVERY.retrySeconds : retry.split(',').map(Number);
  if (retrySeconds.some((n) => !Number.isFinite(n) || n < 0) || retrySeconds.length > 20) throw new Error('WEBHOOK_RETRY_SECONDS must be up to 20 comma-separated delays in seconds');
  const timeoutMs = Number(env.WEBHOOK_TIMEOUT_SECONDS || DEFAULT_DELIVERY.timeoutMs / 1000) * 1000;
  if (!(timeoutMs >= 1000 && timeoutMs <= 30_000)) throw new Error('WEBHOOK_TIMEOUT_SECONDS must be 1..30');
  return { delivery: { retrySeconds, timeoutMs }, leaseMs: timeoutMs + 15_000, sweepAfterMs: 30_000 };
}

export type WebhookDeps = Pick<CoreDeps, 'clock' | 'newId' | 'randomBytes' | 'messages'> & {
  webhooks: WebhookStore;
  webhookSender: WebhookSender;
  webhookSettings: WebhookSettings;
  keyCipher: KeyCipher;
  queue: WorkQueue;
};

/**
 * An event of `type` for the reseller, to be written in the transaction of the change it reports
 * (the repositories take `events`); the fan-out follows the commit (docs/webhooks.md).
 */
export function webhookEvent(deps: Pick<CoreDeps, 'clock' | 'newId'>, resellerId: string, type: WebhookEventType, data: Record<string, unknown>): WebhookEvent {
  const createdMs = Date.now();
  return { id: newEventId(createdMs, deps.newId()), resellerId, type, occurredAt: deps.clock.now().toISOString(), data, createdMs };
}

/** The key-cipher context of an endpoint's secret: a ciphertext moved to another endpoint does not decrypt. */
export const secretContext = (resellerId: string, webhookId: string) => ({ resellerId, webhook: webhookId });

export interface FanoutWork {
  resellerId: string;
  eventId: string;
}
export interface DeliverWork {
  resellerId: string;
  webhookId: string;
  eventId: string;
  /** The attempt this message is for (1 the first time). */
  attempt: number;
  /** Not before this time (ms): delays beyond SQS's 15 minutes travel in hops. */
  notBefore?: number;
}
