/**
 * The usage feed, on billing's side (docs/billing.md "Usage feed"): when billing moves an account
 * it reads the user's stored usage items (the month items the usage collector writes) and bills
 * every day not fed yet, in the same transaction as the account, marking each day fed on its item
 * only if it was not fed before. So billing needs no call per account from the usage run, a day is
 * billed exactly once however often either side runs, and a day that arrives late (a server that
 * could not be collected at first) is billed at the account's next move.
 *
 * Pure: the caller loads the account and the items and writes the result.
 */
import { advanceAccount, applyAccountEvent } from '../../domain/billing/account-cycle';
import { formatDay } from '../../domain/billing/dates';
import { PHASE, type Notice } from '../../domain/billing/engine';
import type { LedgerLine } from '../../domain/billing/ledger';
import { addDays, addMonths, monthOf, usageEvents, type DayUsage } from '../../domain/stats/usage';
import type { UsageFed } from '../../ports/billing-repository';
import type { UserMonthUsage } from '../../ports/usage';
import type { Loaded } from './account-store';

/**
 * Stored days are fed from the account's own day on (billing moves an account only on its due
 * days, so its usage waits until then); days before it are carried into its current day, at most
 * this many days back.
 */
export const CATCH_UP_DAYS = 31;
/** Months read at most (an account left unbilled for longer feeds the latest ones). */
const MAX_MONTHS = 24;

/** The first stored day a move of an account at `accountDay` feeds, taking usage up to `through`. */
export function feedFrom(through: string, accountDay?: string): string {
  const back = addDays(through, -CATCH_UP_DAYS);
  return accountDay !== undefined && accountDay < back ? accountDay : back;
}

export type FeedOutcome = 'applied' | 'carried' | 'already' | 'no-account' | 'closed' | 'before-start';

export interface PendingDay {
  day: string;
  usage: DayUsage;
}

/** The months whose items may hold days to feed when billing takes usage up to `through`. */
export function feedMonths(through: string, accountDay?: string): string[] {
  const last = monthOf(through);
  const months: string[] = [];
  for (let m = monthOf(feedFrom(through, accountDay)); m <= last; m = addMonths(m, 1)) months.push(m);
  return months.slice(-MAX_MONTHS);
}

/** Whether a stored day counts as fed: in the item's fed map, or (an item without one) up to `usageThrough`. */
export function isFed(month: UserMonthUsage, day: string, usageThrough: string | null): boolean {
  if (month.fed === null) return usageThrough !== null && day <= usageThrough;
  return month.fed.has(day);
}

/** Stored days not fed yet, oldest first, from feedFrom(through, accountDay) up to `through`. */
export function unfedDays(months: readonly UserMonthUsage[], usageThrough: string | null, through: string, accountDay?: string): PendingDay[] {
  const from = feedFrom(through, accountDay);
  const out: PendingDay[] = [];
  for (const m of months) {
    for (const [day, usage] of Object.entries(m.days)) {
      if (day < from || day > through || isFed(m, day, usageThrough)) continue;
      out.push({ day, usage });
    }
  }
  return out.sort((a, b) => (a.day < b.day ? -1 : a.day > b.day ? 1 : 0));
}

export interface FeedPlan {
  state: Loaded['state'];
  appliedChanges: number;
  lines: LedgerLine[];
  notices: Notice[];
  usageFed: UsageFed[];
  usageThrough: string | null;
  /** What became of each fed day. */
  outcomes: Map<string, FeedOutcome>;
  /** False when nothing needs writing (a closed account, only days before it opened). */
  write: boolean;
}

/**
 * Feeds `pending` to the loaded account (its state is changed in place) and, when `target` is
 * given, runs it on to `target` afterwards: the usage of each day applies before that day's window
 * closes. A day the account has already passed is carried into its current day with a notice.
 */
export function planFeed(loaded: Loaded, months: readonly UserMonthUsage[], pending: readonly PendingDay[], target?: string): FeedPlan {
  const { state, plan, account } = loaded;
  let appliedChanges = account.appliedChanges;
  const lines: LedgerLine[] = [];
  const notices: Notice[] = [];
  const outcomes = new Map<string, FeedOutcome>();
  const take = (r: { appliedChanges: number; lines: LedgerLine[]; notices: Notice[] }) => {
    appliedChanges = r.appliedChanges;
    lines.push(...r.lines);
    notices.push(...r.notices);
  };
  let billed = false;
  if (state.status === 'closed') {
    for (const p of pending) outcomes.set(p.day, 'closed');
  } else if (pending.length) {
    // The closes and openings up to the first day to feed run before its usage applies.
    const first = pending[0]!.day;
    if (first > formatDay(state.day) && (target === undefined || first <= target)) take(advanceAccount(state, plan, appliedChanges, first));
    for (const p of pending) {
      if (p.day < formatDay(state.start)) {
        outcomes.set(p.day, 'before-start');
        continue;
      }
      const current = formatDay(state.day);
      let date = p.day;
      let outcome: FeedOutcome = 'applied';
      if (p.day > current) take(advanceAccount(state, plan, appliedChanges, p.day));
      else if (p.day < current || state.phase > PHASE.usage) {
        if (state.phase > PHASE.usage) {
          notices.push({ date: current, message: `usage of ${p.day} not billed: the account has settled ${current}` });
          outcomes.set(p.day, 'carried');
          billed = true;
          continue;
        }
        date = current;
        outcome = 'carried';
        notices.push({ date: current, message: `usage of ${p.day} arrived after the account moved to ${current}: billed on ${current}` });
      }
      for (const event of usageEvents(date, p.usage, state.prices)) {
        const r = applyAccountEvent(state, plan, appliedChanges, event, { strict: false });
        take(r);
      }
      outcomes.set(p.day, outcome);
      billed = true;
    }
  }
  if (target !== undefined && state.status !== 'closed') {
    const d = formatDay(state.day);
    if (d < target || (d === target && state.phase < PHASE.openings)) take(advanceAccount(state, plan, appliedChanges, target));
  }

  // Every pending day is marked fed (a day before the account opened too: it is never billed).
  const byMonth = new Map<string, string[]>();
  if (billed || lines.length || notices.length) {
    for (const p of pending) byMonth.set(monthOf(p.day), [...(byMonth.get(monthOf(p.day)) ?? []), p.day]);
  }
  const usageFed: UsageFed[] = [...byMonth].map(([month, days]) => {
    const item = months.find((m) => m.month === month);
    if (item && item.fed === null) {
      // An item from before per-day feeding: its days up to usageThrough were fed by the watermark.
      const replace = Object.keys(item.days).filter((d) => account.usageThrough !== null && d <= account.usageThrough);
      return { month, days, replace };
    }
    return { month, days };
  });
  const lastFed = pending.length && byMonth.size ? pending[pending.length - 1]!.day : null;
  const usageThrough = lastFed && (account.usageThrough === null || lastFed > account.usageThrough) ? lastFed : account.usageThrough;
  return { state, appliedChanges, lines, notices, usageFed, usageThrough, outcomes, write: billed || lines.length > 0 || notices.length > 0 };
}
