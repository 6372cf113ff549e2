/**
 * The billing account as a state machine over days (billing-rules.md). Pure: time only comes in as
 * event dates and `until`; nothing reads the clock or does I/O.
 *
 * A day runs in phases (billing-rules "Time"):
 *   1 price changes · 2 scheduled closes (usage lines, credit suspension, trial end)
 *   3 period openings (recurrent) · 4 account events (pay, convert, suspend, resume, plan or period
 *   change, close) · 5 quantity changes · 6 usage and measurements.
 * Functions here update the state they are given in place (cheap for a year of daily events);
 * `cloneState` / `stateToJSON` give an independent or storable copy.
 */
import { PaymentRequiredError, ValidationError } from '../errors';
import { addMonths, days, formatDay, parseDay, type Day } from './dates';
import { addPart, linesOf, pendingTotal, totalOf, type LedgerLine, type LineType, type PendingDay } from './ledger';
import { Dec, Ratio, ZERO, formatAmount, formatQuantity, max, min } from './money';
import { periodUnitPrice, type PriceTable, type ResourcePrices } from './plan';

export type AccountStatus = 'new' | 'trial' | 'active' | 'suspended' | 'closed';
export type SuspendReason = 'credit' | 'trial' | 'admin';

/** Units bought this period at one price (the whole-period price per unit); refunds pop the latest first. */
export interface Lot {
  units: Dec;
  unitPrice: Dec;
}

/** A usage window [start, close). `next` is its scheduled monthly close and the M of its share. */
export interface UsageWindow {
  start: Day;
  countAnchor: Day;
  countOffset: number;
  k: number;
  next: Day;
  used: Dec;
  lastMeasure: Dec | null;
}

export interface HeldResource {
  held: Dec;
  lots: Lot[];
  window: UsageWindow | null;
}

export interface Period {
  /** Month boundaries are addMonths(anchor, offset + i): anchored to the day the chain began. */
  anchor: Day;
  offset: number;
  months: number;
  start: Day;
  end: Day;
}

export interface Notice {
  date: string;
  message: string;
}

export interface AccountState {
  prices: PriceTable;
  periodMonths: number;
  status: AccountStatus;
  suspendedFor: SuspendReason | null;
  start: Day;
  /** The day being processed and the last phase run on it. */
  day: Day;
  phase: number;
  creditLimit: Dec | null;
  payments: Dec;
  /** Sum of the settled (rounded) lines. */
  charged: Dec;
  trialEnd: Day | null;
  moneyBackDays: number | null;
  firstPaidStart: Day | null;
  /** While the first paid period is open: its setup, recurrent and refund parts per resource (money-back). */
  firstPaidNet: Record<string, Ratio> | null;
  firstPaidOpen: boolean;
  period: Period | null;
  resources: Record<string, HeldResource>;
  /** Quantities bought at signup; charged when the account opens (or converts from trial). */
  initialHold: Record<string, Dec>;
  pending: PendingDay;
  lines: LedgerLine[];
  notices: Notice[];
}

// ---- events ------------------------------------------------------------------------------------

export type PriceChange = Partial<Pick<ResourcePrices, 'free' | 'setup' | 'recurrent' | 'usage'>>;

export type AccountEvent =
  | { date: string; type: 'prices'; prices: Record<string, PriceChange> }
  | { date: string; type: 'pay'; amount: string }
  | { date: string; type: 'convert' }
  | { date: string; type: 'suspend' }
  | { date: string; type: 'resume' }
  | { date: string; type: 'close' }
  | { date: string; type: 'changePeriod'; months: number }
  | { date: string; type: 'changePlan'; prices: PriceTable; months?: number }
  | { date: string; type: 'hold'; hold: Record<string, string> }
  | { date: string; type: 'use'; use: Record<string, string> }
  | { date: string; type: 'measure'; measure: Record<string, string> };

export const PHASE = { prices: 1, closes: 2, openings: 3, account: 4, hold: 5, usage: 6 } as const;

export function phaseOf(e: AccountEvent): number {
  switch (e.type) {
    case 'prices':
      return PHASE.prices;
    case 'hold':
      return PHASE.hold;
    case 'use':
    case 'measure':
      return PHASE.usage;
    default:
      return PHASE.account;
  }
}

export interface ApplyOptions {
  /** Throw PaymentRequiredError / ValidationError for a refused purchase instead of logging a notice (HTTP use). */
  strict?: boolean;
}

// ---- opening -----------------------------------------------------------------------------------

export interface OpenAccount {
  start: string;
  prices: PriceTable;
  /** What the account holds from `start` (absent resources: nothing). */
  hold?: Record<string, string>;
  periodMonths?: number;
  /** Absent: no credit limit at all (nothing refused, never suspended for credit). */
  creditLimit?: string | null;
  trialDays?: number;
  moneyBackDays?: number;
  /** Payments made before `start`. */
  payments?: string;
}

export function openAccount(o: OpenAccount): AccountState {
  const start = parseDay('start', o.start);
  const resources: Record<string, HeldResource> = {};
  const initialHold: Record<string, Dec> = {};
  for (const id of Object.keys(o.prices)) {
    resources[id] = { held: ZERO, lots: [], window: null };
    initialHold[id] = new Dec(o.hold?.[id] ?? '0');
  }
  for (const id of Object.keys(o.hold ?? {})) if (!o.prices[id]) throw ValidationError.field(`hold.${id}`, 'is not a resource of the plan');
  return {
    prices: structuredClone(o.prices),
    periodMonths: o.periodMonths ?? 1,
    status: 'new',
    suspendedFor: null,
    start,
    day: start,
    phase: 0,
    creditLimit: o.creditLimit == null ? null : new Dec(o.creditLimit),
    payments: new Dec(o.payments ?? '0'),
    charged: ZERO,
    trialEnd: o.trialDays ? start + o.trialDays : null,
    moneyBackDays: o.moneyBackDays ?? null,
    firstPaidStart: null,
    firstPaidNet: null,
    firstPaidOpen: false,
    period: null,
    resources,
    initialHold,
    pending: { day: start, parts: new Map() },
    lines: [],
    notices: [],
  };
}

// ---- queries -----------------------------------------------------------------------------------

/** Payments minus charges, the open day's charges counted exactly. */
export function balance(s: AccountState): Dec {
  return s.payments.minus(s.charged).minus(pendingTotal(s.pending));
}

/** Lines of finished days: final, safe to persist. */
export function settledLines(s: AccountState): LedgerLine[] {
  return s.lines;
}

/** Lines of the day still open (more events of that day may still add to them). */
export function pendingLines(s: AccountState): LedgerLine[] {
  return linesOf(s.pending);
}

export function ledgerLines(s: AccountState): LedgerLine[] {
  return [...s.lines, ...linesOf(s.pending)];
}

export function currentDate(s: AccountState): string {
  return formatDay(s.day);
}

export interface Preview {
  date: string | null;
  lines: LedgerLine[];
  total: string;
}

/**
 * The recurrent charges of the next period start with today's holdings, under the current prices or
 * the given ones (e.g. a plan the user considers). Usage is not forecast.
 */
export function previewNextPeriod(s: AccountState, prices: PriceTable = s.prices, months: number = s.periodMonths): Preview {
  const date = s.period ? formatDay(s.period.end) : null;
  const when = date ?? formatDay(s.day);
  const lines: LedgerLine[] = [];
  for (const [id, r] of Object.entries(s.resources)) {
    const p = prices[id];
    if (!p) continue;
    const units = max(ZERO, r.held.minus(p.free));
    const amount = units.times(periodUnitPrice(p, months));
    if (amount.toDecimalPlaces(2).isZero()) continue;
    lines.push({ id: `${when}#${id}#recurrent`, date: when, resource: id, type: 'recurrent', quantity: formatQuantity(units), amount: formatAmount(amount) });
  }
  return { date, lines, total: totalOf(lines) };
}

// ---- driving time ------------------------------------------------------------------------------

/** Runs every day up to and including `until` (its scheduled closes and openings too). */
export function advance(s: AccountState, until: string): AccountState {
  moveTo(s, parseDay('until', until), PHASE.openings);
  return s;
}

/** Ends the open day: its parts become rounded ledger lines. Later events must be on a later day. */
export function settle(s: AccountState): AccountState {
  finishDay(s);
  s.phase = 7;
  return s;
}

/**
 * Applies one event: first everything scheduled before it (days up to its date, and that day's closes
 * and openings unless it is a price change), then the event. Events must come in date order; on one
 * day a price change must come before anything else of that day.
 */
export function applyEvent(s: AccountState, e: AccountEvent, opts: ApplyOptions = {}): AccountState {
  const day = parseDay('date', e.date);
  const phase = phaseOf(e);
  if (day < s.day || (day === s.day && s.phase >= PHASE.closes && phase < PHASE.closes) || (day === s.day && s.phase > PHASE.usage)) {
    throw ValidationError.field('date', `${e.date}: event is before what the account has already processed (${formatDay(s.day)})`);
  }
  moveTo(s, day, phase);
  if (s.status === 'closed' && e.type !== 'prices') {
    note(s, `${e.type} ignored: the account is closed`);
    return s;
  }
  switch (e.type) {
    case 'prices':
      changePrices(s, e.prices);
      break;
    case 'pay':
      pay(s, new Dec(e.amount));
      break;
    case 'convert':
      convert(s);
      break;
    case 'suspend':
      if (s.status === 'active') suspend(s, 'admin', 'suspended by the reseller');
      else note(s, `suspend ignored: the account is ${s.status}`);
      break;
    case 'resume':
      resume(s, opts);
      break;
    case 'close':
      closeAccount(s);
      break;
    case 'changePeriod':
      changePeriod(s, e.months);
      break;
    case 'changePlan':
      changePlan(s, e.prices, e.months);
      break;
    case 'hold':
      for (const [id, q] of Object.entries(e.hold)) changeHold(s, id, new Dec(q), opts);
      break;
    case 'use':
      for (const [id, q] of Object.entries(e.use)) addUsage(s, id, new Dec(q));
      break;
    case 'measure':
      for (const [id, q] of Object.entries(e.measure)) measure(s, id, new Dec(q));
      break;
  }
  return s;
}

function moveTo(s: AccountState, day: Day, phase: number): void {
  while (s.day < day) {
    if (s.phase < PHASE.closes) runScheduled(s);
    finishDay(s);
    const next = Math.min(day, nextScheduledDay(s));
    s.day = next;
    s.phase = 0;
    s.pending = { day: next, parts: new Map() };
  }
  if (phase >= PHASE.closes && s.phase < PHASE.closes) runScheduled(s);
  s.phase = Math.max(s.phase, phase);
}

function finishDay(s: AccountState): void {
  for (const line of linesOf(s.pending)) {
    s.lines.push(line);
    s.charged = s.charged.plus(line.amount);
  }
  s.pending.parts.clear();
}

/** The next day after today on which something is scheduled (a window or period close, trial end). */
export function nextScheduledDay(s: AccountState): Day {
  let next = Number.POSITIVE_INFINITY;
  if (s.status === 'new') return s.start > s.day ? s.start : s.day + 1;
  if (s.status === 'active' && s.period) {
    next = Math.min(next, s.period.end);
    for (const r of Object.values(s.resources)) if (r.window) next = Math.min(next, r.window.next);
  }
  if (s.status === 'trial' && s.trialEnd !== null) next = Math.min(next, s.trialEnd);
  return next > s.day ? next : s.day + 1;
}

/** Phases 2 and 3 of the current day. */
function runScheduled(s: AccountState): void {
  const D = s.day;
  s.phase = PHASE.closes;
  let renew = false;
  if (s.status === 'active' && s.period) {
    const p = s.period;
    let closed = false;
    if (D >= p.end) {
      closeWindows(s, D);
      endPeriod(s);
      closed = renew = true;
    } else {
      for (const [id, r] of Object.entries(s.resources)) {
        const w = r.window;
        if (w && w.next <= D) {
          closeWindow(s, id, r, D);
          startWindow(r, D, w.countAnchor, w.countOffset, w.k + 1);
          closed = true;
        }
      }
    }
    if (closed && overdrawn(s)) {
      suspend(s, 'credit', `suspended: balance ${formatAmount(balance(s))} is below the credit limit -${s.creditLimit!.toFixed()}`);
      renew = false;
    }
  }
  if (s.status === 'trial' && s.trialEnd !== null && D >= s.trialEnd) {
    s.status = 'suspended';
    s.suspendedFor = 'trial';
    note(s, 'suspended: the trial ended unconverted');
  }
  s.phase = PHASE.openings;
  if (renew && s.status === 'active' && s.period) {
    const p = s.period;
    const short = shortfall(s, p.months);
    if (short) {
      // billing-rules: a renewal the credit limit does not cover is not charged; suspended, no period open.
      suspend(s, 'credit', `suspended: the renewal's recurrent ${formatAmount(short.cost)} is not charged: it would take the balance ${formatAmount(balance(s))} to ${formatAmount(short.after)}, below the credit limit -${s.creditLimit!.toFixed()}`);
    } else {
      openPeriod(s, D, p.anchor, p.offset + p.months, p.months);
    }
  }
  if (s.status === 'new' && D >= s.start) {
    if (s.trialEnd !== null) {
      s.status = 'trial';
      for (const [id, q] of Object.entries(s.initialHold)) s.resources[id]!.held = q;
    } else {
      s.status = 'active';
      beginPaid(s, D);
    }
  }
}

function overdrawn(s: AccountState): boolean {
  return s.creditLimit !== null && balance(s).lt(s.creditLimit.neg());
}

/** The recurrent charge of a period of `months` opened today with today's holdings and prices (exact). */
export function periodRecurrent(s: AccountState, months: number = s.periodMonths): Dec {
  let cost = ZERO;
  for (const [id, r] of Object.entries(s.resources)) {
    const p = s.prices[id]!;
    const units = max(ZERO, r.held.minus(p.free));
    if (units.gt(0)) cost = cost.plus(units.times(periodUnitPrice(p, months)));
  }
  return cost;
}

/**
 * What opening a period of `months` today would cost, when that would take the balance below minus
 * the credit limit (renewal, resumption); null when the balance and credit limit cover it.
 */
function shortfall(s: AccountState, months: number): { cost: Dec; after: Dec } | null {
  if (s.creditLimit === null) return null;
  const cost = periodRecurrent(s, months);
  const after = balance(s).minus(cost);
  return after.lt(s.creditLimit.neg()) ? { cost, after } : null;
}

function note(s: AccountState, message: string): void {
  s.notices.push({ date: formatDay(s.day), message });
}

function post(s: AccountState, resource: string, type: LineType, quantity: Ratio, amount: Ratio): void {
  addPart(s.pending, resource, type, quantity, amount);
  if (s.firstPaidOpen && s.firstPaidNet && type !== 'usage') {
    s.firstPaidNet[resource] = (s.firstPaidNet[resource] ?? Ratio.zero).add(amount);
  }
}

// ---- periods -----------------------------------------------------------------------------------

/** Signup or trial conversion: the signup purchase (setup beyond free) and the first paid period. */
function beginPaid(s: AccountState, D: Day): void {
  s.firstPaidStart = D;
  s.firstPaidNet = {};
  s.firstPaidOpen = true;
  for (const [id, q] of Object.entries(s.initialHold)) {
    const r = s.resources[id];
    if (!r) continue;
    const p = s.prices[id]!;
    const old = r.held;
    const up = max(ZERO, q.minus(max(old, new Dec(p.free))));
    if (up.gt(0)) post(s, id, 'setup', Ratio.of(up), Ratio.of(up.times(p.setup)));
    r.held = q;
  }
  s.initialHold = {};
  openPeriod(s, D, D, 0, s.periodMonths);
}

function openPeriod(s: AccountState, D: Day, anchor: Day, offset: number, months: number): void {
  s.period = { anchor, offset, months, start: D, end: addMonths(anchor, offset + months) };
  s.periodMonths = months;
  for (const [id, r] of Object.entries(s.resources)) {
    const p = s.prices[id]!;
    const units = max(ZERO, r.held.minus(p.free));
    const unitPrice = periodUnitPrice(p, months);
    r.lots = units.gt(0) ? [{ units, unitPrice }] : [];
    if (units.gt(0)) post(s, id, 'recurrent', Ratio.of(units), Ratio.of(units.times(unitPrice)));
    if (p.kind !== 'count') startWindow(r, D, anchor, offset, 1);
  }
}

/** A period that ran to its end: everything was used, nothing to refund. */
function endPeriod(s: AccountState): void {
  for (const r of Object.values(s.resources)) r.lots = [];
  s.firstPaidOpen = false;
}

/** Suspension, plan or period change, closing: windows close and unused recurrent is refunded. */
function closePeriodEarly(s: AccountState, refundLots = true): void {
  const p = s.period;
  if (!p) return;
  const D = s.day;
  closeWindows(s, D);
  if (refundLots) {
    for (const [id, r] of Object.entries(s.resources)) refundUnits(s, id, r, sumUnits(r.lots), p, D);
  }
  for (const r of Object.values(s.resources)) r.lots = [];
  s.period = null;
  s.firstPaidOpen = false;
}

function sumUnits(lots: Lot[]): Dec {
  let t = ZERO;
  for (const l of lots) t = t.plus(l.units);
  return t;
}

/** Releases `units` from the top of the lot stack at the price each was charged, prorated to the period left. */
function refundUnits(s: AccountState, id: string, r: HeldResource, units: Dec, p: Period, D: Day): void {
  let left = units;
  let value = ZERO;
  let released = ZERO;
  while (left.gt(0) && r.lots.length > 0) {
    const lot = r.lots[r.lots.length - 1]!;
    const take = min(left, lot.units);
    value = value.plus(take.times(lot.unitPrice));
    released = released.plus(take);
    left = left.minus(take);
    if (take.eq(lot.units)) r.lots.pop();
    else lot.units = lot.units.minus(take);
  }
  if (released.isZero()) return;
  const amount = Ratio.of(value.times(days(D, p.end)), new Dec(days(p.start, p.end))).neg();
  post(s, id, 'refund', Ratio.of(released), amount);
}

// ---- usage windows -----------------------------------------------------------------------------

function startWindow(r: HeldResource, start: Day, countAnchor: Day, countOffset: number, k: number): void {
  r.window = { start, countAnchor, countOffset, k, next: addMonths(countAnchor, countOffset + k), used: ZERO, lastMeasure: null };
}

function closeWindows(s: AccountState, D: Day): void {
  for (const [id, r] of Object.entries(s.resources)) if (r.window) closeWindow(s, id, r, D);
}

/**
 * Charges the window [start, D) with the free units and usage price in force today. Its share is
 * days(start, D) / days(start, next), `next` being the monthly boundary that follows its start.
 */
function closeWindow(s: AccountState, id: string, r: HeldResource, D: Day): void {
  const w = r.window!;
  r.window = null;
  if (D <= w.start) return;
  const share = windowShare(w.start, D, w.next);
  const p = s.prices[id]!;
  const limit = max(r.held, new Dec(p.free));
  if (p.kind === 'flow') {
    // excess = used - limit × share, exact
    const excess = Ratio.of(w.used).add(share.times(limit).neg());
    if (!excess.isPositive()) return;
    post(s, id, 'usage', excess, excess.times(new Dec(p.usage)));
  } else if (p.kind === 'level') {
    if (w.lastMeasure === null) return;
    const over = w.lastMeasure.minus(limit);
    if (over.lte(0)) return;
    post(s, id, 'usage', Ratio.of(over), share.times(over.times(p.usage)));
  }
}

/** The share of a window [start, close) whose monthly count's next boundary is `next`: days(window) / days(start, next). */
export function windowShare(start: Day, close: Day, next: Day): Ratio {
  return Ratio.of(new Dec(days(start, close)), new Dec(days(start, next)));
}

// ---- account events ----------------------------------------------------------------------------

function changePrices(s: AccountState, changes: Record<string, PriceChange>): void {
  for (const [id, c] of Object.entries(changes)) {
    const p = s.prices[id];
    if (!p) throw ValidationError.field(`prices.${id}`, 'is not a resource of the plan');
    for (const key of ['free', 'setup', 'recurrent', 'usage'] as const) {
      const v = c[key];
      if (v !== undefined) p[key] = new Dec(v).toFixed();
    }
    // A whole-period price is part of the old price list; a new recurrent price replaces it.
    if (c.recurrent !== undefined) delete p.periodPrices;
  }
}

function pay(s: AccountState, amount: Dec): void {
  s.payments = s.payments.plus(amount);
  // Resumed only when the balance then covers the new period's recurrent within the credit limit.
  if (s.status === 'suspended' && s.suspendedFor === 'credit' && !shortfall(s, s.periodMonths)) {
    s.status = 'active';
    s.suspendedFor = null;
    note(s, 'resumed: the payment brought the balance within the credit limit');
    openPeriod(s, s.day, s.day, 0, s.periodMonths);
  }
}

function convert(s: AccountState): void {
  if (s.status === 'trial' || (s.status === 'suspended' && s.suspendedFor === 'trial')) {
    s.status = 'active';
    s.suspendedFor = null;
    s.trialEnd = null;
    for (const [id, r] of Object.entries(s.resources)) s.initialHold[id] = r.held;
    for (const r of Object.values(s.resources)) r.held = ZERO;
    beginPaid(s, s.day);
  } else {
    note(s, `convert ignored: the account is not on trial (${s.status})`);
  }
}

function suspend(s: AccountState, reason: SuspendReason, message: string): void {
  closePeriodEarly(s);
  s.status = 'suspended';
  s.suspendedFor = reason;
  note(s, message);
}

function resume(s: AccountState, opts: ApplyOptions): void {
  if (s.status !== 'suspended' || s.suspendedFor === 'trial') {
    note(s, `resume ignored: the account is ${s.status === 'suspended' ? 'a lapsed trial (convert it)' : s.status}`);
    return;
  }
  const short = shortfall(s, s.periodMonths);
  if (short) {
    const reason = `the new period's recurrent ${formatAmount(short.cost)} would take the balance ${formatAmount(balance(s))} to ${formatAmount(short.after)}, below the credit limit -${s.creditLimit!.toFixed()}`;
    if (opts.strict) throw new PaymentRequiredError(`resume refused: ${reason}`, { creditLimit: reason });
    note(s, `resume refused: ${reason}`);
    return;
  }
  s.status = 'active';
  s.suspendedFor = null;
  note(s, 'resumed');
  openPeriod(s, s.day, s.day, 0, s.periodMonths);
}

/**
 * Closing ends the open period like a suspension (usage charged, unused recurrent refunded). Within
 * the money-back days of the first paid period's start, that period's setup and recurrent lines
 * (net of refunds already given) come back in full instead; usage lines stay.
 */
function closeAccount(s: AccountState): void {
  const D = s.day;
  const moneyBack =
    s.moneyBackDays !== null && s.firstPaidStart !== null && s.firstPaidNet !== null && days(s.firstPaidStart, D) <= s.moneyBackDays;
  const inFirst = s.status === 'active' && s.firstPaidOpen;
  const units: Record<string, Dec> = {};
  for (const [id, r] of Object.entries(s.resources)) units[id] = sumUnits(r.lots);
  if (s.status === 'active') closePeriodEarly(s, !(moneyBack && inFirst));
  if (moneyBack) {
    for (const [id, net] of Object.entries(s.firstPaidNet!)) post(s, id, 'refund', Ratio.of(units[id] ?? ZERO), net.neg());
  }
  s.status = 'closed';
  note(s, moneyBack ? 'closed within the money-back days: the first period\'s setup and recurrent are refunded' : 'closed');
}

function changePeriod(s: AccountState, months: number): void {
  if (s.status === 'active' && s.period) {
    closePeriodEarly(s);
    openPeriod(s, s.day, s.day, 0, months);
  } else {
    s.periodMonths = months;
  }
}

function changePlan(s: AccountState, prices: PriceTable, months?: number): void {
  const active = s.status === 'active' && s.period !== null;
  if (active) closePeriodEarly(s);
  const resources: Record<string, HeldResource> = {};
  for (const id of Object.keys(prices)) resources[id] = s.resources[id] ?? { held: ZERO, lots: [], window: null };
  s.resources = resources;
  s.prices = structuredClone(prices);
  if (s.status === 'new') for (const id of Object.keys(s.initialHold)) if (!prices[id]) delete s.initialHold[id];
  if (months !== undefined) s.periodMonths = months;
  if (active) openPeriod(s, s.day, s.day, 0, s.periodMonths);
}

function changeHold(s: AccountState, id: string, q: Dec, opts: ApplyOptions): void {
  const r = s.resources[id];
  if (!r) throw ValidationError.field(`hold.${id}`, 'is not a resource of the plan');
  const p = s.prices[id]!;
  if (s.status === 'new') {
    s.initialHold[id] = q;
    return;
  }
  const old = r.held;
  if (q.eq(old)) return;
  if (p.max !== undefined && q.gt(p.max)) {
    const msg = `hold.${id}: ${q.toFixed()} is above the plan's max ${p.max}`;
    if (opts.strict) throw ValidationError.field(`hold.${id}`, `${q.toFixed()} is above the plan's max ${p.max}`);
    note(s, `purchase refused: ${msg}`);
    return;
  }
  if (s.status === 'trial') {
    r.held = q; // a trial is charged nothing
    return;
  }
  const free = new Dec(p.free);
  const up = max(ZERO, q.minus(max(old, free)));
  const period = s.status === 'active' ? s.period : null;
  let setup = Ratio.zero;
  let recurrent = Ratio.zero;
  let unitPrice = ZERO;
  if (up.gt(0)) {
    setup = Ratio.of(up.times(p.setup));
    if (period) {
      unitPrice = periodUnitPrice(p, period.months);
      recurrent = Ratio.of(up.times(unitPrice).times(days(s.day, period.end)), new Dec(days(period.start, period.end)));
    }
    if (s.creditLimit !== null) {
      const after = balance(s).minus(setup.add(recurrent).value());
      if (after.lt(s.creditLimit.neg())) {
        const msg = `purchase refused: ${id} ${old.toFixed()} → ${q.toFixed()} costs ${formatAmount(setup.add(recurrent).value())}, which would take the balance to ${formatAmount(after)}, below the credit limit -${s.creditLimit.toFixed()}`;
        if (opts.strict) throw new PaymentRequiredError(msg);
        note(s, msg);
        return;
      }
    }
  }
  if (period && r.window) {
    closeWindow(s, id, r, s.day);
    startWindow(r, s.day, s.day, 0, 1);
  }
  if (up.gt(0)) {
    post(s, id, 'setup', Ratio.of(up), setup);
    if (period) {
      post(s, id, 'recurrent', Ratio.of(up), recurrent);
      r.lots.push({ units: up, unitPrice });
    }
  }
  if (q.lt(old) && period) {
    // the units no longer paid for: old - max(new, free), at most what was paid this period
    const release = max(ZERO, old.minus(max(q, free)));
    if (release.gt(0)) refundUnits(s, id, r, release, period, s.day);
  }
  r.held = q;
}

function addUsage(s: AccountState, id: string, q: Dec): void {
  const r = s.resources[id];
  if (!r) throw ValidationError.field(`use.${id}`, 'is not a resource of the plan');
  if (s.prices[id]!.kind !== 'flow') throw ValidationError.field(`use.${id}`, 'is not a flow resource');
  if (r.window) r.window.used = r.window.used.plus(q);
}

function measure(s: AccountState, id: string, q: Dec): void {
  const r = s.resources[id];
  if (!r) throw ValidationError.field(`measure.${id}`, 'is not a resource of the plan');
  if (s.prices[id]!.kind !== 'level') throw ValidationError.field(`measure.${id}`, 'is not a level resource');
  if (r.window) r.window.lastMeasure = q;
}

// ---- whole runs and serialisation --------------------------------------------------------------

export interface SimulationResult {
  lines: LedgerLine[];
  total: string;
  notices: Notice[];
  state: AccountState;
}

/** Opens the account, applies the events (already in order), runs to `until` inclusive and settles. */
export function simulate(open: OpenAccount, events: readonly AccountEvent[], until: string): SimulationResult {
  const s = openAccount(open);
  const last = parseDay('until', until);
  for (const e of events) {
    if (parseDay('date', e.date) > last) continue;
    applyEvent(s, e);
  }
  advance(s, until);
  settle(s);
  return { lines: s.lines, total: totalOf(s.lines), notices: s.notices, state: s };
}

export function cloneState(s: AccountState): AccountState {
  return stateFromJSON(stateToJSON(s));
}

const DEC_TAG = '$dec';
const RATIO_TAG = '$ratio';

/** A JSON-safe copy of the state (decimals as tagged strings) for storage. */
export function stateToJSON(s: AccountState): unknown {
  return encode({ ...s, pending: { day: s.pending.day, parts: [...s.pending.parts.entries()] } });
}

function encode(v: unknown): unknown {
  if (v instanceof Ratio) return { [RATIO_TAG]: [v.n.toFixed(), v.d.toFixed()] };
  if (Dec.isDecimal(v)) return { [DEC_TAG]: (v as Dec).toFixed() };
  if (Array.isArray(v)) return v.map(encode);
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (x !== undefined) out[k] = encode(x);
    return out;
  }
  return v;
}

export function stateFromJSON(json: unknown): AccountState {
  const revived = JSON.parse(JSON.stringify(json), (_k, v: unknown) => {
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      const o = v as Record<string, unknown>;
      if (DEC_TAG in o) return new Dec(o[DEC_TAG] as string);
      if (RATIO_TAG in o) {
        const [n, d] = o[RATIO_TAG] as [string, string];
        return new Ratio(new Dec(n), new Dec(d));
      }
    }
    return v;
  }) as AccountState & { pending: { day: Day; parts: [string, PendingDay['parts'] extends Map<string, infer P> ? P : never][] } };
  return { ...revived, pending: { day: revived.pending.day, parts: new Map(revived.pending.parts) } };
}

