import * as z from 'zod';
import { refineSafeHtml } from '../html-policy';
import { INDEX_PAGE_TAGS, refineTags } from '../tags';
import { indexPageHtmlSchema } from './fields';

/** Server ids: lower-case letters, digits and dashes, e.g. `local-1`, `fra-web-03`. */
export const SERVER_ID = /^[a-z0-9][a-z0-9-]{0,62}$/;
const INSTANCE_ID = /^(i|mi)-[0-9a-f]{8,17}$/;
const ADDRESS = /^[0-9a-fA-F:.]{2,45}$/;

const capacity = z
  .number({ error: 'must be a whole number, -1 for unlimited' })
  .int({ error: 'must be a whole number, -1 for unlimited' })
  .min(-1, { error: 'must be -1 (unlimited) or more' })
  .max(1_000_000);

export const createServerSchema = z.strictObject({
  id: z.string({ error: 'is required' }).regex(SERVER_ID, { error: 'must be lower-case letters, digits and dashes (up to 63)' }),
  name: z.string({ error: 'is required' }).trim().min(1, { error: 'is required' }).max(100),
  instanceId: z.string().regex(INSTANCE_ID, { error: 'must be an SSM managed-instance id (i-… or mi-…)' }).nullable().optional(),
  addresses: z.array(z.string().regex(ADDRESS, { error: 'must be an IP address' })).max(64).default([]),
  capacity: capacity.default(-1),
  isDefault: z.boolean({ error: 'must be true or false' }).optional(),
});
export type CreateServerInput = z.infer<typeof createServerSchema>;

export const updateServerSchema = z.strictObject({
  name: createServerSchema.shape.name.optional(),
  instanceId: createServerSchema.shape.instanceId,
  addresses: z.array(z.string().regex(ADDRESS, { error: 'must be an IP address' })).max(64).optional(),
  capacity: capacity.optional(),
  isDefault: z.boolean({ error: 'must be true or false' }).optional(),
});
export type UpdateServerInput = z.infer<typeof updateServerSchema>;

export const assignServersSchema = z.strictObject({
  serverIds: z.array(z.string().regex(SERVER_ID, { error: 'must be a server id' })).min(1, { error: 'give at least one server' }).max(50),
});

/** The reseller's index page: HTML with `##user##`, or null for none. */
export const indexPageSchema = z.strictObject({
  // The state's own field schema (NUL, size), plus the seed's rule when saved: besides HTML only
  // ##user## (the username); any other tag is refused.
  // No scripts, event handlers or javascript: URLs either (shared/domain/html-policy.ts).
  html: indexPageHtmlSchema.superRefine(refineTags(INDEX_PAGE_TAGS)).superRefine(refineSafeHtml).nullable(),
});

/** A server has room when its capacity is unlimited (-1) or not reached. */
export const hasRoom = (s: { capacity: number; users: number }) => s.capacity === -1 || s.users < s.capacity;
