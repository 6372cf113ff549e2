import * as z from 'zod';
import { createWebhook, createWebhookSchema, deleteWebhook, getWebhook, listDeliveries, listWebhooks, replayDelivery } from '../../../shared/app/webhooks/endpoints';
import { EVENT_ID_PATTERN, WEBHOOK_EVENT_TYPES, WEBHOOK_ID_PATTERN } from '../../../shared/domain/webhooks';
import { page } from '../responses';
import { route } from '../route';
import { pageQuery } from './common';

const webhookIdParam = z.strictObject({ webhookId: z.string().regex(WEBHOOK_ID_PATTERN, { error: 'must be a webhook id (wh_...)' }) });
const deliveryParams = webhookIdParam.extend({ deliveryId: z.string().regex(EVENT_ID_PATTERN, { error: 'must be a delivery id (evt_...)' }) });

const time = z.string().describe('an ISO 8601 time');
export const webhookView = z.object({
  id: z.string(),
  url: z.string(),
  events: z.array(z.enum(WEBHOOK_EVENT_TYPES)),
  createdAt: time,
  status: z.enum(['enabled', 'disabled']).describe('disabled after the receiver answered 410 Gone'),
  disabledAt: time.optional(),
});
export const createdWebhookView = webhookView.extend({
  secret: z.string().describe('whsec_ + base64 of 32 random bytes: the signing secret, shown only in this answer'),
});
export const deliveryAttemptView = z.object({
  deliveryId: z.string().describe("the event's id: replay with POST /webhooks/{webhookId}/deliveries/{deliveryId}/replay"),
  eventId: z.string().describe('the webhook-id header of every attempt of this event'),
  type: z.enum(WEBHOOK_EVENT_TYPES),
  attempt: z.number().int().describe('1 for the first attempt; counts on across replays'),
  statusCode: z.number().int().nullable().describe("the receiver's HTTP status, null when none came (see error)"),
  error: z.string().nullable().describe('why the attempt failed (timeout, connection, refused address, HTTP status), null on success'),
  durationMs: z.number().int(),
  at: time,
  outcome: z.enum(['succeeded', 'retrying', 'failed']).describe('retrying: another attempt is scheduled; failed: the last of its round'),
});
export const replayView = z.object({
  deliveryId: z.string(),
  eventId: z.string(),
  status: z.literal('pending'),
  attempt: z.number().int().describe('the number the next attempt will have'),
});

/** Webhook endpoints (Standard Webhooks; docs/webhooks.md); served by the webhooks function. */
export const webhookRoutes = [
  route({
    method: 'POST',
    path: '/webhooks',
    access: 'reseller',
    tag: 'webhooks',
    scopes: ['webhooks:write'],
    // The answer (with its secret) is kept for a repeat encrypted under the Idempotency-Key (docs/api.md).
    idempotent: true,
    summary:
      'Register an endpoint for event types. Answers the signing secret once (whsec_…). The URL must be https:// and must not resolve to a ' +
      'private, loopback, link-local or metadata address (checked now and again before every attempt)',
    body: createWebhookSchema,
    example: { url: 'https://shop.example.com/hooks/panel', events: ['user.created', 'user.provisioned'] },
    status: 201,
    response: createdWebhookView,
    handle: ({ deps, actor, body }) => createWebhook(deps, actor, body),
  }),
  route({
    method: 'GET',
    path: '/webhooks',
    access: 'reseller',
    tag: 'webhooks',
    scopes: ['webhooks:read'],
    summary: 'Your webhook endpoints (the secrets are never shown again)',
    query: pageQuery,
    status: 200,
    response: page(webhookView),
    handle: ({ deps, actor, query }) => listWebhooks(deps, actor, query),
  }),
  route({
    method: 'GET',
    path: '/webhooks/{webhookId}',
    access: 'reseller',
    tag: 'webhooks',
    scopes: ['webhooks:read'],
    summary: 'One webhook endpoint',
    params: webhookIdParam,
    status: 200,
    response: webhookView,
    handle: ({ deps, actor, params }) => getWebhook(deps, actor, params.webhookId as string),
  }),
  route({
    method: 'DELETE',
    path: '/webhooks/{webhookId}',
    access: 'reseller',
    tag: 'webhooks',
    scopes: ['webhooks:write'],
    summary: 'Remove an endpoint: no more events are sent to it (an attempt already under way may still arrive)',
    params: webhookIdParam,
    status: 204,
    response: null,
    handle: ({ deps, actor, params }) => deleteWebhook(deps, actor, params.webhookId as string),
  }),
  route({
    method: 'GET',
    path: '/webhooks/{webhookId}/deliveries',
    access: 'reseller',
    tag: 'webhooks',
    scopes: ['webhooks:read'],
    summary: 'Every delivery attempt to the endpoint, newest first: event, attempt, status code or error, duration, time (kept 30 days)',
    params: webhookIdParam,
    query: pageQuery,
    status: 200,
    response: page(deliveryAttemptView),
    handle: ({ deps, actor, params, query }) => listDeliveries(deps, actor, params.webhookId as string, query),
  }),
  route({
    method: 'POST',
    path: '/webhooks/{webhookId}/deliveries/{deliveryId}/replay',
    access: 'reseller',
    tag: 'webhooks',
    scopes: ['webhooks:write'],
    summary: 'Send an event to the endpoint again (same webhook-id, a new round of attempts with retries). 409 DELIVERY_IN_PROGRESS while it is still being attempted',
    params: deliveryParams,
    status: 202,
    response: replayView,
    handle: ({ deps, actor, params }) => replayDelivery(deps, actor, params.webhookId as string, params.deliveryId as string),
  }),
];
