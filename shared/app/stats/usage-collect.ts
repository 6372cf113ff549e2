/**
 * The daily usage collection, fanned out per server through the work queue (docs/billing.md
 * "Usage feed", docs/scale.md "Usage collection"):
 *
 *   start (the 00:05 UTC schedule of day D, functions/jobs/usage-daily.ts): records the run
 *     `usage-<D>` (kind usage, day D: the billing day it completes; it collects the usage of D−1,
 *     whose logs are complete) and enqueues one planning message on `usage-collect`.
 *   plan: lists one page of registered servers (PLAN_PAGE: 1,000 servers are one page and one
 *     message), enqueues one `collect` message per server, then the next page as a new planning
 *     message; the last page records how many servers were planned (one planning part, so the run
 *     cannot finish before its plan is whole).
 *   collect (functions/jobs/usage-collector.ts): one usage report per server (one SSM command on
 *     AWS; an output over SSM's inline limit is read back from the log group), the users' figures
 *     stored in transactions of 50 users (day item + month item), the server counted done.
 *     A report that still fails on the queue's last receive (or cannot succeed) is counted `failed`,
 *     written to the operator's message log and reported as a metric by the handler; it is not
 *     retried by the queue any more (never a dead letter without a trace in the run).
 *
 * No billing happens here: billing reads the stored usage when it moves the accounts
 * (shared/app/billing/usage-feed.ts), exactly once per user and day. When the run's last server is
 * counted (`finishIfComplete` tells exactly one caller) that caller sends `{ "day": D }` on
 * `billing-plan`, so billing of D starts when the usage of D−1 is complete (no fixed gap). A failed server does not hold billing up: its usage arrives later (a re-collect)
 * and is billed at the account's next move.
 */
import { addDays, isDay } from '../../domain/stats/usage';
import { ValidationError } from '../../domain/errors';
import { OPERATOR_LOG, type MessageLog } from '../../ports/message-log';
import type { Provisioner } from '../../ports/provisioner';
import type { RunStore } from '../../ports/runs';
import type { ServerRepository } from '../../ports/servers';
import type { OwnedDayUsage, UsageRepository } from '../../ports/usage';
import type { WorkQueue } from '../../ports/work-queue';
import type { CoreDeps } from '../deps';

export const USAGE_QUEUE = 'usage-collect';
/** The billing run's planner queue (billing for a day starts when that day's usage is complete). */
export const BILLING_PLAN_QUEUE = 'billing-plan';
/** Servers per planning page: one key query, one planning message. */
export const PLAN_PAGE = 1000;
export const USAGE_RUN_KIND = 'usage';
export const RECOLLECT_RUN_KIND = 'usage-recollect';

/** `day` in the messages is the usage day (the day the servers report). */
export type UsageMessage =
  | { type: 'plan'; runId: string; day: string; cursor: string | null; planned: number }
  | { type: 'collect'; runId: string; day: string; serverId: string };

/** What the billing planner receives: bill `day` (the usage of the day before is complete). */
export interface BillingPlanMessage {
  day: string;
}

export type UsageCollectDeps = Pick<CoreDeps, 'clock' | 'newId'> & {
  runs: RunStore;
  queue: WorkQueue;
  servers: Pick<ServerRepository, 'listPage'>;
  provisioner: Pick<Provisioner, 'report'>;
  usage: Pick<UsageRepository, 'ownersOf' | 'putServerDay'>;
  messages: Pick<MessageLog, 'write'>;
};

/** The daily run of billing day `day` (it collects the usage of the day before). */
export const usageRunId = (day: string) => `usage-${day}`;
/** The day a run scheduled on `scheduledDay` collects: the day before (complete logs). */
export const usageDayFor = (scheduledDay: string) => addDays(scheduledDay, -1);

/**
 * Starts (or resumes) the daily run of `day`: the usage of the day before, for billing `day`. The
 * run id is the day's, so a repeated schedule
 * event finds it: a finished run or a run whose plan is complete gets nothing more; a run whose
 * plan did not complete (the first start failed after recording it) is planned again (harmless:
 * servers and counts are counted once).
 */
export async function startUsageRun(deps: Pick<UsageCollectDeps, 'clock' | 'runs' | 'queue'>, day: string) {
  if (!isDay(day)) throw new ValidationError(`day must be YYYY-MM-DD: ${day}`);
  const runId = usageRunId(day);
  const usageDay = usageDayFor(day);
  const { run, created } = await deps.runs.start({ id: runId, kind: USAGE_RUN_KIND, day, planParts: 1, startedAt: deps.clock.now().toISOString() });
  const planning = !run.finishedAt && run.plannedParts < run.planParts;
  if (created || planning) {
    const plan: UsageMessage = { type: 'plan', runId, day: usageDay, cursor: null, planned: 0 };
    await deps.queue.send(USAGE_QUEUE, [plan]);
  }
  return { runId, day, usageDay, created, planned: created || planning };
}

/**
 * An operator's re-collect of one server's usage of `day` (a server that failed, or was repaired):
 * its own run (`usage-recollect-...`), one collect message. The figures replace the stored ones;
 * days already billed stay billed (each day is fed once), days not billed yet are billed at the
 * accounts' next move. It does not start billing.
 */
export async function startRecollect(deps: Pick<UsageCollectDeps, 'clock' | 'newId' | 'runs' | 'queue'>, day: string, serverId: string) {
  const now = deps.clock.now();
  const runId = `${RECOLLECT_RUN_KIND}-${day}-${deps.newId().toLowerCase().replace(/[^a-z0-9]/g, '').slice(0, 24)}`;
  const { run } = await deps.runs.start({ id: runId, kind: RECOLLECT_RUN_KIND, day, planParts: 1, startedAt: now.toISOString() });
  // Planned before the message goes out: the collector that counts the server then finishes the run.
  await deps.runs.setPlanned(runId, 'servers', 1);
  const collect: UsageMessage = { type: 'collect', runId, day, serverId };
  await deps.queue.send(USAGE_QUEUE, [collect]);
  return (await deps.runs.get(runId)) ?? run;
}

export type CollectOutcome =
  | { type: 'planned'; servers: number; more: boolean }
  | { type: 'collected'; serverId: string; users: number; unknownUsers: string[]; transactions: number; billingStarted: boolean }
  /** `counted`: this delivery counted the failure (a redelivery of it is not counted again). */
  | { type: 'failed'; serverId: string; error: string; counted: boolean; billingStarted: boolean };

/** A report that may succeed later: the message comes back (the queue's visibility timeout). */
export class UsageNotYetCollected extends Error {}

/**
 * The consumer of `usage-collect`: one message. `receiveCount` / `maxReceives` say whether this is
 * the queue's last delivery, after which a failing server is counted failed instead of retried.
 */
export async function handleUsageMessage(
  deps: UsageCollectDeps,
  m: UsageMessage,
  delivery: { receiveCount: number; maxReceives: number },
): Promise<CollectOutcome> {
  if (m.type === 'plan') return plan(deps, m);
  const report = await deps.provisioner.report(m.serverId, m.day);
  if (!report.ok) {
    if (report.retryable && delivery.receiveCount < delivery.maxReceives) {
      throw new UsageNotYetCollected(`usage of ${m.day} on ${m.serverId} (attempt ${delivery.receiveCount} of ${delivery.maxReceives}): ${report.error}`);
    }
    const counted = await deps.runs.record(m.runId, [{ unit: m.serverId, outcome: 'failed' }]);
    if (counted) {
      await deps.messages.write(
        OPERATOR_LOG,
        {
          type: 'error',
          text:
            `usage of ${m.day} on server ${m.serverId} could not be collected (${delivery.receiveCount} attempts): ${report.error}. ` +
            `Billing goes on without it; re-collect the day for this server and its usage is billed at the accounts' next billing day.`,
          subject: { server: m.serverId, day: m.day, run: m.runId },
        },
        deps.clock.now(),
      );
    }
    const billingStarted = await finish(deps, m, delivery);
    return { type: 'failed', serverId: m.serverId, error: report.error, counted: counted > 0, billingStarted };
  }
  const owners = await deps.usage.ownersOf(report.users.map((u) => u.username));
  const owned: OwnedDayUsage[] = [];
  const unknownUsers: string[] = [];
  for (const u of report.users) {
    const resellerId = owners.get(u.username);
    if (resellerId) owned.push({ resellerId, username: u.username, diskKb: u.diskKb, webBytes: u.webBytes, ftpBytes: u.ftpBytes });
    else unknownUsers.push(u.username);
  }
  const { transactions } = await deps.usage.putServerDay(m.serverId, m.day, owned);
  await deps.runs.record(m.runId, [{ unit: m.serverId, outcome: 'done' }]);
  const billingStarted = await finish(deps, m, delivery);
  return { type: 'collected', serverId: m.serverId, users: owned.length, unknownUsers, transactions, billingStarted };
}

async function plan(deps: UsageCollectDeps, m: Extract<UsageMessage, { type: 'plan' }>): Promise<CollectOutcome> {
  const page = await deps.servers.listPage({ limit: PLAN_PAGE, ...(m.cursor ? { cursor: m.cursor } : {}) });
  const collects: UsageMessage[] = page.items.map((s) => ({ type: 'collect', runId: m.runId, day: m.day, serverId: s.id }));
  if (collects.length) await deps.queue.send(USAGE_QUEUE, collects);
  const planned = m.planned + collects.length;
  if (page.nextCursor) {
    const next: UsageMessage = { ...m, cursor: page.nextCursor, planned };
    await deps.queue.send(USAGE_QUEUE, [next]);
    return { type: 'planned', servers: collects.length, more: true };
  }
  await deps.runs.setPlanned(m.runId, 'servers', planned);
  await finish(deps, { runId: m.runId, day: m.day }, { receiveCount: 1 });
  return { type: 'planned', servers: collects.length, more: false };
}

/**
 * Finishes the run when its last server is counted; the one caller that finished a daily run starts
 * billing for the next day. A redelivered message that finds the run finished sends again, so a
 * send that failed after the finish is not lost (a second billing planner for a day adds nothing).
 */
async function finish(deps: UsageCollectDeps, m: { runId: string; day: string }, delivery: { receiveCount: number }): Promise<boolean> {
  const { run, finishedNow } = await deps.runs.finishIfComplete(m.runId, deps.clock.now().toISOString());
  if (!run || run.kind !== USAGE_RUN_KIND) return false;
  if (!finishedNow && !(run.finishedAt && delivery.receiveCount > 1)) return false;
  const start: BillingPlanMessage = { day: run.day };
  await deps.queue.send(BILLING_PLAN_QUEUE, [start]);
  return true;
}
