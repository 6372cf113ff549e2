/**
 * Loading, moving and saving one billing account. Every save is one transaction: the account at
 * the version read, its new ledger lines (each only if absent) and its notices. A lost race or a
 * repeated run reloads and finds the work done, so nothing is charged twice.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { NotFoundError } from '../../domain/errors';
import { advanceAccount, nextDueDay, type CycleResult } from '../../domain/billing/account-cycle';
import { formatDay, parseDay } from '../../domain/billing/dates';
import { stateFromJSON, stateToJSON, type AccountState } from '../../domain/billing/engine';
import type { PlanVersions } from '../../domain/billing/plan-versions';
import { StaleAccountError, type BillingWrite, type ReferenceClaim, type StoredAccount, type StoredLine, type UsageFed } from '../../ports/billing-repository';
import { addDays } from '../../domain/stats/usage';
import { feedMonths, planFeed, unfedDays, type FeedOutcome } from './usage-feed';
import type { Message } from '../../ports/message-log';
import type { IdempotentCompletion } from '../../ports/idempotency';
import type { BillingDeps } from './billing-deps';
import { billingEvents } from '../webhooks/events';

/** Lines per transaction we allow ourselves (DynamoDB takes 100 items, the account and notices need some). */
const LINES_PER_WRITE = 80;
/** Reloads after a lost race (each with jittered backoff); then the 409 CONCURRENT_CHANGE reaches the caller. */
const ATTEMPTS = 10;
const backoff = (attempt: number) => sleep(Math.random() * Math.min(250, 5 * 2 ** attempt));

export interface Loaded {
  account: StoredAccount;
  plan: PlanVersions;
  state: AccountState;
}

export async function load(deps: BillingDeps, resellerId: string, username: string): Promise<Loaded> {
  const account = await deps.billing.getAccount(resellerId, username);
  if (!account) throw new NotFoundError(`${username} has no billing account`);
  const plan = await deps.billing.getPlan(resellerId, account.templateId);
  if (!plan) throw new Error(`plan of template ${account.templateId} is missing`);
  return { account, plan: plan.versions, state: stateFromJSON(account.state) };
}

export function noticesToMessages(deps: BillingDeps, username: string, notices: { date: string; message: string }[]): Message[] {
  const at = deps.clock.now().toISOString();
  return notices.map((n) => ({
    id: deps.newId(),
    at,
    type: 'notice' as const,
    text: `billing ${username}: ${n.message} (${n.date})`,
    subject: { user: username },
  }));
}

export type SaveExtra = {
  lines?: StoredLine[];
  messages?: Message[];
  templateId?: string;
  usageThrough?: string | null;
  references?: ReferenceClaim[];
  /** An Idempotency-Key completed in this very transaction (payments, adjustments). */
  completion?: IdempotentCompletion;
  usageFed?: UsageFed[];
};

/** The write that saves `result` over `loaded`, for the billing store or another transaction. */
export function prepareSave(
  deps: BillingDeps,
  loaded: Loaded,
  result: Pick<CycleResult, 'state' | 'appliedChanges' | 'lines' | 'notices'>,
  extra: SaveExtra = {},
): BillingWrite {
  const account: StoredAccount = {
    ...loaded.account,
    templateId: extra.templateId ?? loaded.account.templateId,
    state: stateToJSON(result.state),
    appliedChanges: result.appliedChanges,
    version: loaded.account.version + 1,
    usageThrough: extra.usageThrough !== undefined ? extra.usageThrough : loaded.account.usageThrough,
    dueDay: nextDueDay(result.state, loaded.plan, result.appliedChanges),
    updatedAt: deps.clock.now().toISOString(),
  };
  const write: BillingWrite = {
    account,
    expectedVersion: loaded.account.version,
    lines: [...result.lines, ...(extra.lines ?? [])],
    messages: [...noticesToMessages(deps, loaded.account.username, result.notices), ...(extra.messages ?? [])],
    ...(extra.references ? { references: extra.references } : {}),
    ...(extra.completion ? { completion: extra.completion } : {}),
    // A new due day gets its item in this transaction (the day's planner finds it by a key query).
    ...(account.dueDay && account.dueDay !== loaded.account.dueDay ? { due: account.dueDay } : {}),
    ...(extra.usageFed?.length ? { usageFed: extra.usageFed } : {}),
  };
  const locked = result.state.status === 'suspended';
  // Webhook events of this save (charged, suspended, resumed), in its own transaction.
  write.events = billingEvents(deps, account, write.lines, isBillingLocked(loaded.account.state), locked, result.state);
  if (isBillingLocked(loaded.account.state) === locked) return write;
  // The suspension began or ended: the server's lock goes with this very transaction.
  const { username } = loaded.account;
  write.messages.push({
    id: deps.newId(),
    at: account.updatedAt,
    type: 'notice',
    text: locked
      ? `${username} is locked on its server: the billing account is suspended (${result.state.suspendedFor ?? 'suspended'}); logins off, files kept`
      : `${username} is unlocked on its server: the billing account is ${result.state.status}`,
    subject: { user: username },
  });
  write.billingLock = { locked, at: account.updatedAt };
  return write;
}

/** A suspended account (credit limit, unconverted trial, the reseller's billing suspend) locks the user on its server. */
export function isBillingLocked(storedState: unknown): boolean {
  return (storedState as { status?: string } | null)?.status === 'suspended';
}

export async function save(
  deps: BillingDeps,
  loaded: Loaded,
  result: Pick<CycleResult, 'state' | 'appliedChanges' | 'lines' | 'notices'>,
  extra: SaveExtra = {},
): Promise<StoredAccount> {
  const write = prepareSave(deps, loaded, result, extra);
  await deps.billing.write(write);
  return write.account;
}

/**
 * Brings the account to `day` (its closes and openings run), writing finished days' lines. A long
 * gap is walked in steps so that no single transaction is over the item limit.
 *
 * With the usage store in `deps`, the stored usage not fed yet (up to the day before `day`, or up to
 * `opts.usageThrough`) is billed on the way, in the same transaction (shared/app/billing/usage-feed.ts):
 * each day's usage before that day's window closes, a day already passed carried into the current one.
 * `opts.outcomes` receives what became of each stored day fed.
 */
export async function advanceTo(
  deps: BillingDeps,
  resellerId: string,
  username: string,
  day: string,
  opts: { usageThrough?: string; outcomes?: Map<string, FeedOutcome> } = {},
): Promise<Loaded> {
  const through = opts.usageThrough ?? addDays(day, -1);
  for (let attempt = 0; ; attempt++) {
    const loaded = await load(deps, resellerId, username);
    const atDay = formatDay(loaded.state.day) > day || (formatDay(loaded.state.day) === day && loaded.state.phase >= 3);
    const accountDay = formatDay(loaded.state.day);
    const months = deps.usage ? await deps.usage.userMonths(resellerId, [username], feedMonths(through, accountDay)) : [];
    const pending = unfedDays(months, loaded.account.usageThrough, through, accountDay);
    try {
      if (pending.length) {
        const trial = { ...loaded, state: stateFromJSON(loaded.account.state) };
        const fed = planFeed(trial, months, pending, day);
        if (!fed.write) {
          for (const [d, o] of fed.outcomes) opts.outcomes?.set(d, o);
          if (atDay || fed.state.status === 'closed') return loaded;
        } else if (fed.lines.length <= LINES_PER_WRITE) {
          await save(deps, loaded, fed, { usageThrough: fed.usageThrough, usageFed: fed.usageFed });
          for (const [d, o] of fed.outcomes) opts.outcomes?.set(d, o);
          continue;
        } else {
          // Too many finished days at once: first walk (in steps) to the first day to feed.
          const first = pending[0]!.day < day ? pending[0]!.day : day;
          if (formatDay(loaded.state.day) < first) {
            await stepTo(deps, loaded, first);
            continue;
          }
        }
      }
      if (atDay) return loaded;
      await stepTo(deps, loaded, day);
    } catch (e) {
      if (!(e instanceof StaleAccountError) || attempt >= ATTEMPTS) throw e;
      await backoff(attempt);
    }
  }
}

/** One save towards `day`: as far as one transaction's lines allow. */
async function stepTo(deps: BillingDeps, loaded: Loaded, day: string): Promise<void> {
  let target = parseDay('day', day);
  for (;;) {
    const trial = stateFromJSON(loaded.account.state);
    const result = advanceAccount(trial, loaded.plan, loaded.account.appliedChanges, formatDay(target));
    if (result.lines.length <= LINES_PER_WRITE || target <= trial.day) {
      await save(deps, loaded, result);
      return;
    }
    target = Math.floor((stateFromJSON(loaded.account.state).day + target) / 2);
  }
}

/** Runs `change` on a freshly loaded account already brought to today, and saves, retrying lost races. */
export async function mutate<T>(
  deps: BillingDeps,
  resellerId: string,
  username: string,
  change: (loaded: Loaded, day: string) => { result: CycleResult; value: T; extra?: Parameters<typeof save>[3] },
): Promise<T> {
  const day = deps.clock.now().toISOString().slice(0, 10);
  for (let attempt = 0; ; attempt++) {
    const loaded = await advanceTo(deps, resellerId, username, day);
    const { result, value, extra } = change(loaded, day);
    try {
      await save(deps, loaded, result, extra);
      return value;
    } catch (e) {
      if (!(e instanceof StaleAccountError) || attempt >= ATTEMPTS) throw e;
      await backoff(attempt);
    }
  }
}
