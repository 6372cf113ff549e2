/**
 * Re-pushes that touch many users (the operator's server push, a reseller's index-page change) run
 * through the work queue, never inside the HTTP request: the request records a run and enqueues one
 * planning message, then answers 202 with the run.
 *
 *   plan-server / plan-reseller: lists the users (key queries, one page after the other) and
 *     enqueues them in messages of BUMP_PAGE users; then records how many it planned (one planning
 *     part, so the run cannot finish before the plan is whole). A redelivered plan sends the same
 *     users again: harmless, the units are counted once.
 *   bump: makes each user pending with a new sequence, due now (the provisioning worker then pushes
 *     them in batches per server) and counts each user done (or failed) in the run.
 *
 * The run's progress is users marked for the push; each user's own status (pending → applied) says
 * when it is on its server.
 */
import { NotFoundError } from '../../domain/errors';
import type { Principal } from '../../ports/identity';
import type { Run, RunStore } from '../../ports/runs';
import type { WorkQueue } from '../../ports/work-queue';
import type { UserRepository } from '../../ports/controlpanel';
import { requireOperator } from '../actor';
import type { CoreDeps } from '../deps';
import type { ProvisioningPorts } from './deps';
import { runView } from '../runs/runs';

export const FANOUT_QUEUE = 'provisioning-fanout';
/** Users per bump message. */
export const BUMP_PAGE = 100;

type FanoutDeps = Pick<CoreDeps, 'clock' | 'newId'> & ProvisioningPorts & { queue: WorkQueue; runs: RunStore; users: Pick<UserRepository, 'list'> };

export type FanoutMessage =
  | { type: 'plan-server'; runId: string; serverId: string }
  | { type: 'plan-reseller'; runId: string; resellerId: string }
  | { type: 'bump'; runId: string; users: { resellerId: string; username: string }[] };

/** A run id per request (two pushes are two runs): it says what it is and is a valid run id. */
export function newRunId(deps: Pick<CoreDeps, 'clock' | 'newId'>, kind: string): string {
  const day = deps.clock.now().toISOString().slice(0, 10);
  return `${kind}-${day}-${deps.newId().toLowerCase().replace(/[^a-z0-9]/g, '').slice(0, 24)}`;
}

async function startRun(deps: FanoutDeps, id: string, kind: string, message: FanoutMessage): Promise<Run> {
  const now = deps.clock.now();
  const { run } = await deps.runs.start({ id, kind, day: now.toISOString().slice(0, 10), planParts: 1, startedAt: now.toISOString() });
  await deps.queue.send(FANOUT_QUEUE, [message]);
  return run;
}

/** POST /operator/servers/{id}/push: 202 with the run (GET /operator/runs/{id} shows its progress). */
export async function startServerPush(deps: FanoutDeps, actor: Principal, serverId: string) {
  requireOperator(actor);
  if (!(await deps.servers.get(serverId))) throw new NotFoundError('server not found');
  const runId = newRunId(deps, 'server-push');
  const run = await startRun(deps, runId, 'server-push', { type: 'plan-server', runId, serverId });
  return { serverId, run: runView(run) };
}

/** The push of every user of a reseller after its index page changed (the id from newRunId). */
export function startResellerPush(deps: FanoutDeps, runId: string, resellerId: string): Promise<Run> {
  return startRun(deps, runId, 'index-page', { type: 'plan-reseller', runId, resellerId });
}

/** The consumer of the provisioning-fanout queue: one message. */
export async function handleFanout(deps: FanoutDeps, message: FanoutMessage): Promise<void> {
  if (message.type === 'bump') return bump(deps, message.runId, message.users);
  let users: { resellerId: string; username: string }[];
  if (message.type === 'plan-server') {
    users = await deps.servers.usersOf(message.serverId);
  } else {
    users = [];
    let cursor: string | undefined;
    do {
      const page = await deps.users.list(message.resellerId, { limit: 1000, cursor });
      users.push(...page.items.map((u) => ({ resellerId: message.resellerId, username: u.username })));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
  }
  const messages: FanoutMessage[] = [];
  for (let i = 0; i < users.length; i += BUMP_PAGE) messages.push({ type: 'bump', runId: message.runId, users: users.slice(i, i + BUMP_PAGE) });
  if (messages.length) await deps.queue.send(FANOUT_QUEUE, messages);
  await deps.runs.setPlanned(message.runId, 'plan', users.length);
  await deps.runs.finishIfComplete(message.runId, deps.clock.now().toISOString());
}

async function bump(deps: FanoutDeps, runId: string, users: { resellerId: string; username: string }[]): Promise<void> {
  const at = deps.clock.now().toISOString();
  const outcomes = await Promise.all(
    users.map(async (u) => {
      try {
        // False for a user deleted meanwhile (nothing to push): counted done too.
        await deps.provisioning.bump(u.resellerId, u.username, at);
        return { unit: `${u.resellerId}/${u.username}`, outcome: 'done' as const };
      } catch {
        return { unit: `${u.resellerId}/${u.username}`, outcome: 'failed' as const };
      }
    }),
  );
  await deps.runs.record(runId, outcomes);
  await deps.runs.finishIfComplete(runId, deps.clock.now().toISOString());
  // Failed ones come again with the message (done ones are bumped once more: harmless); a failed
  // unit later done is counted done.
  const failed = outcomes.filter((o) => o.outcome === 'failed').length;
  if (failed) throw new Error(`${failed} of ${users.length} users could not be marked for the push`);
}
