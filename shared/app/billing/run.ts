/**
 * The daily billing run (docs/background-work.md "Billing run"), fanned out through the work queue:
 *
 *   start `{ day }` on billing-plan (the daily schedule; the usage collection once the day's usage
 *     is complete; a duplicate is harmless): records the run `billing-<day>` with one planning part
 *     per due-shard and enqueues a plan message for every part not planned yet.
 *   plan `{ day, shard, page, cursor, count }`: one page of the shard's due items (a key query on
 *     `DUE#<day>#<shard>`, never a Scan, never every account) becomes billing batches of
 *     ACCOUNTS_PER_MESSAGE; the next page is its own message (sent once: a page marker), so no
 *     invocation grows with the number of accounts; the last page records the part's count.
 *   batch `{ day, runId, accounts }` on billing: the accounts and their plans are read once (two
 *     BatchGetItem), each account is advanced to the day with ONE TransactWriteItems (its lines, its
 *     notices, its next due item, a lock change), nothing is read again after the write, and the
 *     outcomes are counted once in the run (one transaction per batch). A failing account is sent
 *     again alone, so it never holds up the others; alone, it is retried by the queue and on its
 *     last receive it is counted failed, written to the message log and goes to the dead letters.
 *
 * Everything is idempotent: an account already at the day is skipped (and counted done once), so a
 * duplicated message, a second planner or a resumed run charges nothing twice.
 */
import { advanceAccount } from '../../domain/billing/account-cycle';
import { formatDay, parseDay } from '../../domain/billing/dates';
import { stateFromJSON } from '../../domain/billing/engine';
import { StaleAccountError, type AccountRef, type StoredAccount } from '../../ports/billing-repository';
import type { MessageLog } from '../../ports/message-log';
import type { Metrics } from '../../ports/metrics';
import { isComplete, type RunStore, type UnitOutcome } from '../../ports/runs';
import type { WorkQueue } from '../../ports/work-queue';
import type { UserMonthUsage } from '../../ports/usage';
import { advanceTo, prepareSave, type Loaded } from './account-store';
import { feedMonths, planFeed, unfedDays } from './usage-feed';
import type { BillingDeps } from './billing-deps';

export const PLAN_QUEUE = 'billing-plan';
export const BILLING_QUEUE = 'billing';
/** Accounts per billing message (one run-record transaction per batch: 25 markers and a counter). */
export const ACCOUNTS_PER_MESSAGE = 25;
/** Due items per plan message. */
export const DUE_PAGE = 1000;
/** Lines per transaction (DynamoDB takes 100 items; the account, its notices and the due item need some). */
const LINES_PER_WRITE = 80;
const DAY = /^\d{4}-\d{2}-\d{2}$/;
/** Billing runs looked back on by the 03:00 check (the due items' TTL). */
const CHECK_DAYS = 14;

export const billingRunId = (day: string) => `billing-${day}`;
export const accountUnit = (r: AccountRef) => `${r.resellerId}/${r.username}`;

export type BillingRunDeps = BillingDeps & { queue: WorkQueue; runs: RunStore; messages: MessageLog; metrics: Metrics };

export type PlanMessage =
  | { day: string; resume?: boolean }
  /** Page `page` (1 = the second) of a due-shard, `count` accounts planned by its pages before. */
  | { day: string; shard: number; page?: number; cursor?: string; count?: number };

export interface BatchMessage {
  day: string;
  runId: string;
  accounts: AccountRef[];
}

/** What a consumer knows of the delivery: receives so far and the queue's limit. */
export interface DeliveryInfo {
  receiveCount: number;
  maxReceives: number;
}

/** A message that can never succeed (bad day): it goes to the dead letters after its receives. */
export class BadBillingMessage extends Error {}

function checkDay(day: unknown): string {
  if (typeof day !== 'string' || !DAY.test(day)) throw new BadBillingMessage(`billing message without a day YYYY-MM-DD: ${String(day)}`);
  parseDay('day', day);
  return day;
}

/**
 * The daily schedule: asks for the day's run (the planner does the rest). A run already planned
 * (usage's last server asked for the day first, as it normally does) needs nothing: one read. A day
 * with no account due at all (one key query per due-shard) asks for nothing and has no run.
 */
export async function requestBillingDay(deps: Pick<BillingRunDeps, 'queue' | 'billing' | 'runs'>, day: string): Promise<{ day: string; runId?: string }> {
  checkDay(day);
  const planned = await deps.runs.get(billingRunId(day));
  if (planned && planned.plannedParts >= planned.planParts) return { day, runId: planned.id };
  if (!(await deps.billing.anyDue(day))) return { day };
  await deps.queue.send(PLAN_QUEUE, [{ day } satisfies PlanMessage]);
  return { day, runId: billingRunId(day) };
}

/** The consumer of billing-plan: one message. */
export async function handlePlan(deps: BillingRunDeps, message: PlanMessage): Promise<void> {
  const day = checkDay(message.day);
  const runId = billingRunId(day);
  if (!('shard' in message)) return planDay(deps, day, runId, message.resume === true);
  const { shard } = message;
  if (!Number.isInteger(shard) || shard < 0 || shard >= deps.billing.dueShards) throw new BadBillingMessage(`no due-shard ${shard}`);
  const pageNo = message.page ?? 1;
  const page = await deps.billing.listDue(day, shard, { limit: DUE_PAGE, cursor: message.cursor });
  await sendBatches(deps, day, runId, page.items);
  const count = (message.count ?? 0) + page.items.length;
  if (page.nextCursor) {
    // The next page once, even when this one is delivered twice (a crash between the send and the
    // mark sends it again: a duplicate the workers and the counts absorb).
    const next = pageNo + 1;
    if (await deps.billing.planPageSent(runId, shard, next)) return;
    await deps.queue.send(PLAN_QUEUE, [{ day, shard, page: next, cursor: page.nextCursor, count } satisfies PlanMessage]);
    await deps.billing.markPlanPageSent(runId, shard, next, Math.floor(Date.parse(`${day}T00:00:00Z`) / 1000) + CHECK_DAYS * 86_400);
    return;
  }
  await deps.runs.setPlanned(runId, `shard-${shard}`, count);
  await finish(deps, runId);
}

/**
 * The day's start: the first page of every due-shard (key queries in parallel, a bounded amount of
 * work whatever the day's size) is planned here as the part `head`; each shard with more pages is a
 * part of its own, planned page by page in messages of their own. A repeated start (a duplicated
 * schedule event, a second planner, usage and the schedule both asking) finds the run planned and
 * adds nothing; a resume plans every part again (accounts already at the day are skipped).
 */
async function planDay(deps: BillingRunDeps, day: string, runId: string, resume: boolean): Promise<void> {
  const existing = await deps.runs.get(runId);
  if (existing && !resume && existing.plannedParts >= existing.planParts) return;
  const shards = Array.from({ length: deps.billing.dueShards }, (_, i) => i);
  const pages = await Promise.all(shards.map((shard) => deps.billing.listDue(day, shard, { limit: DUE_PAGE })));
  const more = shards.filter((s) => pages[s]!.nextCursor);
  const { run } = await deps.runs.start({ id: runId, kind: 'billing', day, planParts: 1 + more.length, startedAt: deps.clock.now().toISOString() });
  // Batches per shard: a batch's outcomes are then counted in one run-counter item.
  const head = pages.reduce((n, p) => n + p.items.length, 0);
  await Promise.all(pages.map((p) => sendBatches(deps, day, runId, p.items)));
  const continuations = more.map((shard): PlanMessage => ({ day, shard, page: 1, cursor: pages[shard]!.nextCursor!, count: 0 }));
  if (continuations.length) await deps.queue.send(PLAN_QUEUE, continuations);
  await deps.runs.setPlanned(runId, 'head', head);
  if (run) await finish(deps, runId);
}

async function sendBatches(deps: BillingRunDeps, day: string, runId: string, refs: readonly AccountRef[]): Promise<void> {
  const batches: BatchMessage[] = [];
  for (let i = 0; i < refs.length; i += ACCOUNTS_PER_MESSAGE) batches.push({ day, runId, accounts: refs.slice(i, i + ACCOUNTS_PER_MESSAGE) });
  if (batches.length) await deps.queue.send(BILLING_QUEUE, batches);
}

/** The consumer of billing: one batch of accounts due on the message's day. */
export async function handleBatch(deps: BillingRunDeps, message: BatchMessage, delivery: DeliveryInfo): Promise<void> {
  const day = checkDay(message.day);
  const refs = message.accounts;
  const accounts = await deps.billing.getAccounts(refs);
  const planRefs = [...accounts.values()].map((a) => ({ resellerId: a.resellerId, templateId: a.templateId }));
  const plans = await deps.billing.getPlans(planRefs);
  // The batch's stored usage not fed yet, in one batched read: billed in each account's transaction.
  const usageThrough = formatDay(parseDay('day', day) - 1);
  const usage = deps.usage
    ? await deps.usage.accountMonths(
        [...accounts.values()].map((a) => ({ resellerId: a.resellerId, username: a.username, months: feedMonths(usageThrough, formatDay(stateFromJSON(a.state).day)) })),
      )
    : undefined;
  const outcomes: { unit: string; outcome: UnitOutcome }[] = [];
  const failed: { ref: AccountRef; error: Error }[] = [];
  await Promise.all(
    refs.map(async (ref) => {
      try {
        const account = accounts.get(accountUnit(ref));
        const plan = account && plans.get(`${account.resellerId}/${account.templateId}`);
        if (account && !plan) throw new Error(`plan of template ${account.templateId} is missing`);
        // No account (the user was deleted since the due item was written): nothing to bill.
        if (account && plan) await advanceAccountTo(deps, { account, plan: plan.versions, state: stateFromJSON(account.state) }, day, usage?.get(accountUnit(ref)));
        outcomes.push({ unit: accountUnit(ref), outcome: 'done' });
      } catch (e) {
        failed.push({ ref, error: e as Error });
      }
    }),
  );
  const alone = refs.length === 1;
  const last = delivery.receiveCount >= delivery.maxReceives;
  if (alone && failed.length && last) {
    // The last attempt: counted failed, said in the message log, then to the dead letters.
    const { ref, error } = failed[0]!;
    outcomes.push({ unit: accountUnit(ref), outcome: 'failed' });
    await deps.messages.write(
      ref.resellerId,
      { type: 'error', text: `billing ${ref.username}: the run of ${day} could not bill the account: ${error.message}`, subject: { user: ref.username } },
      deps.clock.now(),
    );
  }
  if (outcomes.length) await deps.runs.record(message.runId, outcomes);
  if (!alone && failed.length) {
    // Each failing account alone: retried, and dead-lettered, on its own.
    await deps.queue.send(BILLING_QUEUE, failed.map((f) => ({ day, runId: message.runId, accounts: [f.ref] }) satisfies BatchMessage));
  }
  await finish(deps, message.runId);
  if (alone && failed.length) throw failed[0]!.error;
}

/**
 * One account to `day`: its closes and openings run and the finished days' lines are written, in
 * one transaction (several only when a long gap has more lines than one transaction takes). The
 * state written is kept: nothing is read again. A lost race with a request on the same account
 * reloads (advanceTo) and finds the work done or does it.
 */
export async function advanceAccountTo(deps: BillingDeps, loaded: Loaded, day: string, usage?: readonly UserMonthUsage[]): Promise<'advanced' | 'already'> {
  const at = (a: StoredAccount) => {
    const s = stateFromJSON(a.state);
    return formatDay(s.day) > day || (formatDay(s.day) === day && s.phase >= 3);
  };
  if (at(loaded.account)) return 'already';
  // Its due item is stale (a request moved it on; a newer due day is set, or none: closed).
  if (loaded.account.dueDay !== undefined && (loaded.account.dueDay === null || loaded.account.dueDay > day)) return 'already';
  // Stored usage not fed yet (docs/billing.md "Usage feed"): each day applies before its window
  // closes, in the same one transaction as the move to the day.
  const pending = usage ? unfedDays(usage, loaded.account.usageThrough, formatDay(parseDay('day', day) - 1), formatDay(loaded.state.day)) : [];
  if (pending.length) {
    try {
      const fed = planFeed({ ...loaded, state: stateFromJSON(loaded.account.state) }, usage!, pending, day);
      if (fed.write && fed.lines.length <= LINES_PER_WRITE) {
        const write = prepareSave(deps, loaded, fed, { usageThrough: fed.usageThrough, usageFed: fed.usageFed });
        await deps.billing.write(write);
        if (at(write.account)) return 'advanced';
        loaded = { account: write.account, plan: loaded.plan, state: fed.state };
      } else {
        // More lines than one transaction takes (a long gap): in steps, reloading.
        await advanceTo(deps, loaded.account.resellerId, loaded.account.username, day);
        return 'advanced';
      }
    } catch (e) {
      if (!(e instanceof StaleAccountError)) throw e;
      await advanceTo(deps, loaded.account.resellerId, loaded.account.username, day);
      return 'advanced';
    }
  }
  let current = loaded;
  try {
    for (let step = 0; step < 64; step++) {
      let target = parseDay('day', day);
      for (;;) {
        const trial = stateFromJSON(current.account.state);
        const result = advanceAccount(trial, current.plan, current.account.appliedChanges, formatDay(target));
        if (result.lines.length <= LINES_PER_WRITE || target <= stateFromJSON(current.account.state).day + 1) {
          const write = prepareSave(deps, current, result);
          await deps.billing.write(write);
          current = { account: write.account, plan: current.plan, state: result.state };
          break;
        }
        target = Math.floor((stateFromJSON(current.account.state).day + target) / 2);
      }
      if (at(current.account)) return 'advanced';
    }
    throw new Error(`account ${loaded.account.username} did not reach ${day}`);
  } catch (e) {
    if (!(e instanceof StaleAccountError)) throw e;
    await advanceTo(deps, loaded.account.resellerId, loaded.account.username, day);
    return 'advanced';
  }
}

async function finish(deps: BillingRunDeps, runId: string): Promise<void> {
  const { run, finishedNow } = await deps.runs.finishIfComplete(runId, deps.clock.now().toISOString());
  if (!finishedNow || !run) return;
  deps.metrics.publish('AccountsNotBilled', run.planned - run.done, { dimensions: { Source: 'run' } });
  deps.metrics.publish('BillingRunAccounts', run.planned, { dimensions: { Source: 'run' } });
}

export interface BillingCheck {
  day: string;
  /** Accounts due up to `day` that no run has brought there: today's not yet billed plus the recent runs' failures. */
  notBilled: number;
  today: { run: string; planned: number; done: number; failed: number; unplannedDue: number; finished: boolean };
  earlierFailed: number;
}

/**
 * The 03:00 check (and the metric its alarm watches): today's run must be finished with every
 * planned account done; the due items of parts not planned yet (or of a run that never started)
 * are counted by key queries; the recent runs' failures that were not resumed count too.
 */
export async function checkBilling(deps: BillingRunDeps, day: string): Promise<BillingCheck> {
  checkDay(day);
  const runId = billingRunId(day);
  const run = await deps.runs.get(runId);
  // Planning not complete (or never started): the day's due items say how many there are.
  let unplannedDue = 0;
  if (!run || run.plannedParts < run.planParts) {
    const shards = Array.from({ length: deps.billing.dueShards }, (_, i) => i);
    const due = (await Promise.all(shards.map((shard) => deps.billing.countDue(day, shard)))).reduce((a, b) => a + b, 0);
    unplannedDue = Math.max(0, due - (run?.planned ?? 0));
  }
  let earlierFailed = 0;
  const from = formatDay(parseDay('day', day) - CHECK_DAYS);
  const page = await deps.runs.list({ kind: 'billing' }, { limit: CHECK_DAYS + 5 });
  for (const r of page.items) if (r.day < day && r.day >= from) earlierFailed += Math.max(0, r.planned - r.done);
  const pending = run ? Math.max(0, run.planned - run.done) : 0;
  const out: BillingCheck = {
    day,
    notBilled: pending + unplannedDue + earlierFailed,
    today: {
      run: runId,
      planned: run?.planned ?? 0,
      done: run?.done ?? 0,
      failed: run?.failed ?? 0,
      unplannedDue,
      finished: run ? isComplete(run) && run.finishedAt !== null : false,
    },
    earlierFailed,
  };
  deps.metrics.publish('AccountsNotBilled', out.notBilled, { dimensions: { Source: 'check' } });
  return out;
}
