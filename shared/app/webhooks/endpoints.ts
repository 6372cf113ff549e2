/** The endpoint management API: POST/GET/DELETE /webhooks, deliveries and replays (docs/webhooks.md). */
import * as z from 'zod';
import { ConflictError, ErrorCode, NotFoundError, ValidationError } from '../../domain/errors';
import { formatSecret, WEBHOOK_EVENT_TYPES } from '../../domain/webhooks';
import type { Principal } from '../../ports/identity';
import type { PageRequest } from '../../ports/page';
import type { WebhookEndpoint } from '../../ports/webhooks';
import { resellerOf } from '../actor';
import { secretContext, WEBHOOK_DELIVER_QUEUE, type DeliverWork, type WebhookDeps } from './deps';

export const createWebhookSchema = z.strictObject({
  url: z.string({ error: 'is required: where the events are POSTed (https://)' }).max(2048, { error: 'must be at most 2048 characters' }),
  events: z
    .array(z.enum(WEBHOOK_EVENT_TYPES, { error: `must be one of ${WEBHOOK_EVENT_TYPES.join(', ')}` }), { error: 'is required: the event types to send' })
    .min(1, { error: 'must name at least one event type' })
    .max(WEBHOOK_EVENT_TYPES.length),
});

const view = (e: WebhookEndpoint) => ({
  id: e.id,
  url: e.url,
  events: e.events,
  createdAt: e.createdAt,
  status: e.disabledAt ? ('disabled' as const) : ('enabled' as const),
  ...(e.disabledAt ? { disabledAt: e.disabledAt } : {}),
});

/** Registers an endpoint; the secret is answered this once and kept only encrypted. */
export async function createWebhook(deps: WebhookDeps, actor: Principal, input: z.infer<typeof createWebhookSchema>) {
  const resellerId = resellerOf(actor);
  const problem = await deps.webhookSender.check(input.url);
  if (problem) throw ValidationError.field('url', problem);
  const id = `wh_${deps.newId().toLowerCase().replace(/[^0-9a-z]/g, '').slice(0, 20)}`;
  const secret = formatSecret(deps.randomBytes(32));
  const endpoint: WebhookEndpoint = {
    id,
    url: input.url,
    events: [...new Set(input.events)],
    encryptedSecret: await deps.keyCipher.encrypt(Buffer.from(secret, 'utf8'), secretContext(resellerId, id)),
    createdAt: deps.clock.now().toISOString(),
  };
  await deps.webhooks.create(resellerId, endpoint);
  return { ...view(endpoint), secret };
}

export async function listWebhooks(deps: WebhookDeps, actor: Principal, page: PageRequest) {
  const out = await deps.webhooks.list(resellerOf(actor), page);
  return { items: out.items.map(view), nextCursor: out.nextCursor };
}

async function endpointOf(deps: WebhookDeps, resellerId: string, webhookId: string) {
  const e = await deps.webhooks.get(resellerId, webhookId);
  if (!e) throw new NotFoundError('webhook not found');
  return e;
}

export async function getWebhook(deps: WebhookDeps, actor: Principal, webhookId: string) {
  return view(await endpointOf(deps, resellerOf(actor), webhookId));
}

export async function deleteWebhook(deps: WebhookDeps, actor: Principal, webhookId: string): Promise<void> {
  if (!(await deps.webhooks.delete(resellerOf(actor), webhookId))) throw new NotFoundError('webhook not found');
}

/** Every HTTP attempt of the endpoint, newest first. */
export async function listDeliveries(deps: WebhookDeps, actor: Principal, webhookId: string, page: PageRequest) {
  const resellerId = resellerOf(actor);
  await endpointOf(deps, resellerId, webhookId);
  const out = await deps.webhooks.attempts(resellerId, webhookId, page);
  return { items: out.items, nextCursor: out.nextCursor };
}

/** Sends the event again (same webhook-id, a fresh round of attempts): 202; 409 while it is still being attempted. */
export async function replayDelivery(deps: WebhookDeps, actor: Principal, webhookId: string, deliveryId: string) {
  const resellerId = resellerOf(actor);
  const endpoint = await endpointOf(deps, resellerId, webhookId);
  const d = await deps.webhooks.getDelivery(resellerId, webhookId, deliveryId);
  if (!d) throw new NotFoundError('delivery not found');
  if (endpoint.disabledAt) throw new ConflictError('the endpoint is disabled (it answered 410 Gone); register it again', ErrorCode.CONFLICT);
  const busy = () => new ConflictError('the delivery is still being attempted', ErrorCode.DELIVERY_IN_PROGRESS);
  if (d.status === 'pending' || d.status === 'sending') throw busy();
  // Enqueued first (a second later): a replay that then loses its condition leaves only a message that finds nothing to do.
  await deps.queue.send(WEBHOOK_DELIVER_QUEUE, [{ resellerId, webhookId, eventId: deliveryId, attempt: d.attempts + 1 } satisfies DeliverWork], { delaySeconds: 1 });
  if (!(await deps.webhooks.replay(resellerId, webhookId, deliveryId, d.attempts))) throw busy();
  return { deliveryId, eventId: deliveryId, status: 'pending' as const, attempt: d.attempts + 1 };
}
