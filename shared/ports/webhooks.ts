import type { WebhookEvent, WebhookEventType } from '../domain/webhooks';
import type { Page, PageRequest } from './page';

/** A reseller's endpoint as stored: the secret encrypted with the KeyCipher (signing needs it back). */
export interface WebhookEndpoint {
  id: string;
  url: string;
  events: WebhookEventType[];
  encryptedSecret: string;
  createdAt: string;
  /** Set when the receiver answered 410 Gone: no new deliveries (the spec's advice). */
  disabledAt?: string;
}

export type DeliveryStatus = 'pending' | 'sending' | 'succeeded' | 'failed';

/** One event's delivery to one endpoint (its id is the event's id). */
export interface Delivery {
  eventId: string;
  type: WebhookEventType;
  status: DeliveryStatus;
  /** Attempts made so far, all rounds. */
  attempts: number;
  /** Attempts before the current round (a replay starts a new round). */
  roundStart: number;
  token?: string;
  leaseUntilMs?: number;
  nextAttemptAtMs?: number;
}

/** One HTTP attempt, as listed by GET /webhooks/{id}/deliveries. */
export interface DeliveryAttempt {
  deliveryId: string;
  eventId: string;
  type: WebhookEventType;
  attempt: number;
  statusCode: number | null;
  error: string | null;
  durationMs: number;
  at: string;
  outcome: 'succeeded' | 'retrying' | 'failed';
}

export interface WebhookStore {
  /** Fails with ConflictError TOO_MANY_WEBHOOKS past MAX_WEBHOOKS. */
  create(resellerId: string, e: WebhookEndpoint): Promise<void>;
  list(resellerId: string, page: PageRequest): Promise<Page<WebhookEndpoint>>;
  /** Every endpoint of the reseller (the fan-out: at most MAX_WEBHOOKS). */
  all(resellerId: string): Promise<WebhookEndpoint[]>;
  get(resellerId: string, webhookId: string): Promise<WebhookEndpoint | undefined>;
  /** False when there was none. */
  delete(resellerId: string, webhookId: string): Promise<boolean>;
  disable(resellerId: string, webhookId: string, at: string): Promise<void>;

  getEvent(resellerId: string, eventId: string): Promise<WebhookEvent | undefined>;
  /** Fanned out: the event leaves the sweeper's index. */
  markFannedOut(resellerId: string, eventId: string): Promise<void>;
  /** Events written before `beforeMs` and not fanned out yet (the sweeper), oldest first. */
  unpublished(shard: number, beforeMs: number, limit: number): Promise<{ resellerId: string; eventId: string }[]>;
  readonly publishShards: number;

  /** A pending delivery, unless it exists (a repeated fan-out). */
  createDelivery(resellerId: string, webhookId: string, d: Pick<Delivery, 'eventId' | 'type'>): Promise<void>;
  /** One read of what an attempt needs. */
  loadForAttempt(resellerId: string, webhookId: string, eventId: string): Promise<{ endpoint?: WebhookEndpoint; event?: WebhookEvent; delivery?: Delivery }>;
  getDelivery(resellerId: string, webhookId: string, eventId: string): Promise<Delivery | undefined>;
  /**
   * Takes attempt `n` (conditional): pending with n-1 attempts, or attempt n held by a sender whose
   * lease ran out. False when the delivery is elsewhere.
   */
  claim(resellerId: string, webhookId: string, eventId: string, n: number, token: string, nowMs: number, leaseUntilMs: number): Promise<boolean>;
  /** Records attempt `n` (held by `token`) and the delivery's next state, in one transaction. False when the claim was lost. */
  record(
    resellerId: string,
    webhookId: string,
    token: string,
    attempt: DeliveryAttempt,
    next: { status: 'succeeded' | 'failed' } | { status: 'pending'; nextAttemptAtMs: number },
  ): Promise<boolean>;
  /** A finished delivery starts a new round (pending, next attempt `attempts+1`). False unless it was succeeded or failed with `attempts`. */
  replay(resellerId: string, webhookId: string, eventId: string, attempts: number): Promise<boolean>;
  attempts(resellerId: string, webhookId: string, page: PageRequest): Promise<Page<DeliveryAttempt>>;
}
