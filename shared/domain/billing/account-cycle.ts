/**
 * Moving a stored billing account forward: replay the plan's price changes it has not seen, run the
 * days up to `until`, and hand back the lines of the days that finished (final, to be written once)
 * and the notices. The stored state keeps no lines: they live in the ledger.
 */
import { advance, applyEvent, ledgerLines, nextScheduledDay, pendingLines, PHASE, type AccountEvent, type AccountState, type ApplyOptions, type Notice } from './engine';
import { formatDay } from './dates';
import type { LedgerLine } from './ledger';
import type { PlanVersions } from './plan-versions';

export interface CycleResult {
  state: AccountState;
  /** Index of the first plan price change not yet applied to this account. */
  appliedChanges: number;
  /** Lines of finished days, new since the state was loaded. */
  lines: LedgerLine[];
  notices: Notice[];
}

/** Applies the plan's price changes dated on or before `until` that the account has not seen. */
function replayPriceChanges(state: AccountState, plan: PlanVersions, applied: number, until: string): number {
  let i = applied;
  for (; i < plan.priceChanges.length; i++) {
    const change = plan.priceChanges[i]!;
    if (change.date > until) break;
    // Only resources the account has: a resource added to the plan later is not part of it.
    const prices = Object.fromEntries(Object.entries(change.prices).filter(([id]) => state.prices[id]));
    if (change.date < formatDay(state.day)) continue; // opened after the change took effect: its prices already include it
    if (Object.keys(prices).length) applyEvent(state, { date: change.date, type: 'prices', prices });
  }
  return i;
}

function take(state: AccountState): { lines: LedgerLine[]; notices: Notice[] } {
  const out = { lines: state.lines, notices: state.notices };
  state.lines = [];
  state.notices = [];
  return out;
}

/** Runs the account up to and including `until` (its closes and openings); the day `until` stays open. */
export function advanceAccount(state: AccountState, plan: PlanVersions, appliedChanges: number, until: string): CycleResult {
  const applied = replayPriceChanges(state, plan, appliedChanges, until);
  if (formatDay(state.day) <= until) advance(state, until);
  return { state, appliedChanges: applied, ...take(state) };
}

/**
 * An event on `date` (a purchase, a payment, a suspension...): the account is first brought to that
 * day, then the event applies with `strict` so a refused purchase throws and nothing is kept.
 */
export function applyAccountEvent(
  state: AccountState,
  plan: PlanVersions,
  appliedChanges: number,
  event: AccountEvent,
  opts: ApplyOptions = { strict: true },
): CycleResult {
  const applied = replayPriceChanges(state, plan, appliedChanges, event.date);
  applyEvent(state, event, opts);
  return { state, appliedChanges: applied, ...take(state) };
}

/** What the account shows: finished lines come from the ledger, the open day's from the state. */
export function openDayLines(state: AccountState): LedgerLine[] {
  return pendingLines(state);
}

export { ledgerLines };

/**
 * The next day the daily billing run has to bring this account to, or null when nothing is
 * scheduled for it (closed, suspended, a trial without end: an event on the account sets a new one).
 * The day itself while its closes and openings have not run; the day after while the open day has
 * parts (they become ledger lines when that day is finished); else the next scheduled close,
 * opening or trial end, or the next of the plan's price changes not yet applied.
 */
export function nextDueDay(state: AccountState, plan: PlanVersions, appliedChanges: number): string | null {
  if (state.phase < PHASE.openings && state.status !== 'closed') return formatDay(state.day);
  if (state.pending.parts.size > 0) return formatDay(state.day + 1);
  if (state.status === 'closed') return null;
  const next = nextScheduledDay(state);
  const change = plan.priceChanges.slice(appliedChanges).find((c) => c.date > formatDay(state.day));
  let due = Number.isFinite(next) ? formatDay(next) : null;
  if (change && (due === null || change.date < due)) due = change.date;
  return due;
}
