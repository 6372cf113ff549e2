/**
 * Background work of webhooks (docs/webhooks.md): the fan-out of an event to the endpoints that
 * subscribe to it, one attempt per queue message with its retry as a delayed message, and the
 * sweeper that fans out events whose announcement after the commit was lost.
 */
import { attemptVerdict, eventPayload, nextAttemptDelay, signature } from '../../domain/webhooks';
import type { DeliveryAttempt } from '../../ports/webhooks';
import { secretContext, WEBHOOK_DELIVER_QUEUE, WEBHOOK_FANOUT_QUEUE, type DeliverWork, type FanoutWork, type WebhookDeps } from './deps';

/** SQS delays are whole seconds, at most 15 minutes; longer waits hop. */
const MAX_DELAY_SECONDS = 900;

/**
 * One event → a pending delivery per endpoint that subscribed to its type (and existed when it
 * happened), then their first attempts. Idempotent: a repeat finds the deliveries and enqueues
 * their first attempts again, which the claim makes harmless.
 */
export async function processFanout(deps: WebhookDeps, work: FanoutWork): Promise<number> {
  const event = await deps.webhooks.getEvent(work.resellerId, work.eventId);
  if (!event) return 0; // expired, or never committed
  const endpoints = (await deps.webhooks.all(work.resellerId)).filter(
    (e) => !e.disabledAt && e.events.includes(event.type) && e.createdAt <= event.occurredAt,
  );
  for (const e of endpoints) await deps.webhooks.createDelivery(work.resellerId, e.id, { eventId: event.id, type: event.type });
  if (endpoints.length) {
    await deps.queue.send(
      WEBHOOK_DELIVER_QUEUE,
      endpoints.map((e) => ({ resellerId: work.resellerId, webhookId: e.id, eventId: event.id, attempt: 1 }) satisfies DeliverWork),
    );
  }
  await deps.webhooks.markFannedOut(work.resellerId, event.id);
  return endpoints.length;
}

export type AttemptOutcome = 'sent' | 'retrying' | 'failed' | 'skipped' | 'later';

/** Enqueues attempt `work.attempt` for `atMs` (in hops of at most 15 minutes). */
async function schedule(deps: WebhookDeps, work: DeliverWork, atMs: number): Promise<void> {
  const wait = Math.max(0, atMs - Date.now());
  const delaySeconds = Math.min(MAX_DELAY_SECONDS, Math.ceil(wait / 1000));
  await deps.queue.send(WEBHOOK_DELIVER_QUEUE, [{ ...work, ...(wait > MAX_DELAY_SECONDS * 1000 ? { notBefore: atMs } : {}) }], { delaySeconds });
}

/**
 * One attempt. The message names the attempt it is for; the delivery's state decides:
 * pending with one fewer → claim it and send; already recorded and pending again → make sure the
 * next attempt is enqueued (the previous consumer may have died before it did); held by another
 * sender whose lease has not run out → try again later; anything else is stale and dropped.
 */
export async function processAttempt(deps: WebhookDeps, work: DeliverWork): Promise<AttemptOutcome> {
  const { resellerId, webhookId, eventId, attempt: n } = work;
  if (work.notBefore && work.notBefore > Date.now() + 1000) {
    await schedule(deps, { ...work, notBefore: undefined }, work.notBefore);
    return 'later';
  }
  const { endpoint, event, delivery } = await deps.webhooks.loadForAttempt(resellerId, webhookId, eventId);
  if (!endpoint || !event || !delivery || endpoint.disabledAt) return 'skipped';
  const now = Date.now();
  if (delivery.status === 'pending' && delivery.attempts === n) {
    await schedule(deps, { resellerId, webhookId, eventId, attempt: n + 1 }, delivery.nextAttemptAtMs ?? now);
    return 'skipped';
  }
  if (delivery.status === 'sending' && delivery.attempts === n && (delivery.leaseUntilMs ?? 0) >= now) {
    throw new Error(`attempt ${n} of ${eventId} to ${webhookId} is held by another sender`);
  }
  const token = deps.newId();
  if (!(await deps.webhooks.claim(resellerId, webhookId, eventId, n, token, now, now + deps.webhookSettings.leaseMs))) return 'skipped';

  const secret = (await deps.keyCipher.decrypt(endpoint.encryptedSecret, secretContext(resellerId, webhookId))).toString('utf8');
  const body = eventPayload(event);
  const timestamp = Math.floor(Date.now() / 1000);
  const result = await deps.webhookSender.post(
    endpoint.url,
    { 'webhook-id': event.id, 'webhook-timestamp': String(timestamp), 'webhook-signature': signature(secret, event.id, timestamp, body) },
    body,
    deps.webhookSettings.delivery.timeoutMs,
  );
  const verdict = result.error ? 'retry' : attemptVerdict(result.statusCode);
  const inRound = n - delivery.roundStart;
  const delay = verdict === 'retry' ? nextAttemptDelay(deps.webhookSettings.delivery, inRound, Math.random(), result.retryAfterSeconds) : null;
  const outcome: DeliveryAttempt['outcome'] = verdict === 'succeeded' ? 'succeeded' : delay !== null ? 'retrying' : 'failed';
  const at = new Date().toISOString();
  const attempt: DeliveryAttempt = {
    deliveryId: eventId,
    eventId,
    type: event.type,
    attempt: n,
    statusCode: result.statusCode ?? null,
    error: result.error ?? (verdict === 'succeeded' ? null : verdict === 'gone' ? 'the receiver answered 410 Gone: the endpoint is disabled' : `HTTP ${result.statusCode}`),
    durationMs: result.durationMs,
    at,
    outcome,
  };
  const nextAt = delay !== null ? Date.now() + delay * 1000 : 0;
  const recorded = await deps.webhooks.record(
    resellerId,
    webhookId,
    token,
    attempt,
    outcome === 'retrying' ? { status: 'pending', nextAttemptAtMs: nextAt } : { status: outcome === 'succeeded' ? 'succeeded' : 'failed' },
  );
  if (!recorded) return 'skipped';
  if (verdict === 'gone') {
    await deps.webhooks.disable(resellerId, webhookId, at);
    await deps.messages
      .write(resellerId, { type: 'error', text: `webhook ${webhookId} (${endpoint.url}) answered 410 Gone: it gets no more events`, subject: { webhook: webhookId } }, deps.clock.now())
      .catch(() => undefined);
  }
  if (outcome === 'retrying') await schedule(deps, { resellerId, webhookId, eventId, attempt: n + 1 }, nextAt);
  return outcome === 'succeeded' ? 'sent' : outcome;
}

/**
 * The sweeper (every minute): events written more than `sweepAfterMs` ago and still on the
 * unpublished index were not announced after their commit (the process died, or could not send):
 * fan them out now.
 */
export async function sweepWebhookEvents(deps: WebhookDeps, limit = 100): Promise<number> {
  const before = Date.now() - deps.webhookSettings.sweepAfterMs;
  let sent = 0;
  for (let shard = 0; shard < deps.webhooks.publishShards; shard++) {
    const due = await deps.webhooks.unpublished(shard, before, limit);
    if (!due.length) continue;
    await deps.queue.send(WEBHOOK_FANOUT_QUEUE, due satisfies FanoutWork[]);
    sent += due.length;
  }
  return sent;
}
