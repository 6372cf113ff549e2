import * as z from 'zod';
import type { WebhookEventType } from '../../shared/domain/webhooks';

/**
 * The body of each webhook event (Standard Webhooks' structure: type, timestamp, data), for the
 * OpenAPI 3.1 `webhooks` section of /openapi.json. The data shapes are what shared/app builds
 * at each emitting site (users, provisioning worker, billing saves, circulars).
 */
const time = z.string().describe('an ISO 8601 time');
const amount = z.string().describe('a decimal amount as a string, e.g. "12.50"');

export const WEBHOOK_DATA: Record<WebhookEventType, { summary: string; data: z.ZodType }> = {
  'user.created': {
    summary: 'A hosted user was created (its provisioning follows: user.provisioned or user.provisioning_failed)',
    data: z.object({ username: z.string(), templateId: z.string().nullable(), domains: z.array(z.string()), status: z.string(), serverId: z.string(), createdAt: time }),
  },
  'user.provisioned': {
    summary: "A hosted user's desired state (sequence) was applied on its server (after a create or any change)",
    data: z.object({ username: z.string(), serverId: z.string(), sequence: z.number().int() }),
  },
  'user.provisioning_failed': {
    summary: "Pushing a hosted user's state failed: once per new error (retryAt null: not retried until the user is changed or re-pushed)",
    data: z.object({ username: z.string(), serverId: z.string().nullable(), sequence: z.number().int(), error: z.string(), attempts: z.number().int(), retryAt: time.nullable() }),
  },
  'user.deleted': { summary: 'A hosted user was deleted', data: z.object({ username: z.string(), deletedAt: time }) },
  'billing.charged': {
    summary: "New ledger lines of a user's billing account (charges, usage, refunds, adjustments; payments are not charges)",
    data: z.object({
      username: z.string(),
      lines: z.array(z.object({ id: z.string(), date: z.string(), type: z.string(), resource: z.string(), quantity: z.string(), amount })),
      total: amount,
      balance: amount,
    }),
  },
  'billing.suspended': {
    summary: "A user's billing account was suspended (credit limit, unconverted trial or the reseller's suspend); the user is locked on its server",
    data: z.object({ username: z.string(), reason: z.string(), balance: amount }),
  },
  'billing.resumed': { summary: "A user's billing account left the suspension; the user is unlocked", data: z.object({ username: z.string(), status: z.string(), balance: amount }) },
  'circular.finished': {
    summary: 'Every recipient of a circular was sent to, failed or skipped',
    data: z.object({ circularId: z.string(), subject: z.string(), recipients: z.number().int(), sent: z.number().int(), failed: z.number().int(), skipped: z.number().int() }),
  },
};

export function webhookPayloadSchema(type: WebhookEventType) {
  return z.object({ type: z.literal(type), timestamp: time.describe('when the event happened'), data: WEBHOOK_DATA[type].data });
}
