/**
 * The operator's side of the usage run: the operator's message log (a server whose usage could not
 * be collected is an error there) and the re-collect of one server's day.
 */
import * as z from 'zod';
import { NotFoundError, ValidationError } from '../../domain/errors';
import { isDay } from '../../domain/stats/usage';
import type { Principal } from '../../ports/identity';
import { OPERATOR_LOG, type MessageLog, type MessageType } from '../../ports/message-log';
import type { PageRequest } from '../../ports/page';
import type { ServerRegistry } from '../../ports/servers';
import { requireOperator } from '../actor';
import { runView } from '../runs/runs';
import { startRecollect, type UsageCollectDeps } from './usage-collect';

export const recollectSchema = z.strictObject({
  day: z.string({ error: 'is required' }).refine(isDay, { error: 'must be a day YYYY-MM-DD' }),
  serverId: z.string({ error: 'is required' }).min(1).max(63),
});

export function listOperatorMessages(deps: { messages: MessageLog }, actor: Principal, filter: { type?: MessageType } & PageRequest) {
  requireOperator(actor);
  return deps.messages.list(OPERATOR_LOG, filter);
}

/** POST /operator/usage/recollect: 202 with the run (its one unit is the server). */
export async function recollectUsage(
  deps: Pick<UsageCollectDeps, 'clock' | 'newId' | 'runs' | 'queue'> & { servers: Pick<ServerRegistry, 'get'> },
  actor: Principal,
  input: z.infer<typeof recollectSchema>,
) {
  requireOperator(actor);
  if (input.day >= deps.clock.now().toISOString().slice(0, 10)) throw ValidationError.field('day', 'must be a past day: the usage of today or later is not complete');
  if (!(await deps.servers.get(input.serverId))) throw new NotFoundError('server not found');
  const run = await startRecollect(deps, input.day, input.serverId);
  return { day: input.day, serverId: input.serverId, run: runView(run) };
}
