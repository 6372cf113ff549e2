/** Invariants of billing-rules.md, checked with fast-check over generated accounts and events. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addMonths, formatDay, fromYmd, type Day } from '../../../shared/domain/billing/dates';
import {
  applyEvent,
  advance,
  openAccount,
  settle,
  simulate,
  stateFromJSON,
  stateToJSON,
  windowShare,
  ledgerLines,
  type AccountEvent,
  type OpenAccount,
} from '../../../shared/domain/billing/engine';
import { Dec, Ratio } from '../../../shared/domain/billing/money';
import type { PriceTable } from '../../../shared/domain/billing/plan';

const cents = (s: string) => Math.round(Number(s) * 100); // test-side comparison of 2-decimal strings only

/** Any day of 2026–2029, month ends and the leap February included. */
const anyDay = fc
  .record({ y: fc.integer({ min: 2026, max: 2029 }), m: fc.integer({ min: 0, max: 11 }), d: fc.integer({ min: 1, max: 31 }) })
  .map(({ y, m, d }) => fromYmd(y, m, Math.min(d, new Date(Date.UTC(y, m + 1, 0)).getUTCDate())));
const price = fc.integer({ min: 0, max: 5000 }).map((c) => (c / 100).toFixed(2));

const countPrices = (recurrent: string, free = '1', setup = '0'): PriceTable => ({
  mailbox: { kind: 'count', free, setup, recurrent, usage: '0' },
});

/** A random history of quantity and recurrent price changes on a counted resource. */
const history = fc.record({
  start: anyDay,
  months: fc.constantFrom(1, 2, 3, 6, 12),
  recurrent: price,
  initial: fc.integer({ min: 0, max: 6 }),
  changes: fc.array(
    fc.record({ offset: fc.integer({ min: 0, max: 400 }), hold: fc.integer({ min: 0, max: 8 }), recurrent: fc.option(price, { nil: undefined }) }),
    { maxLength: 25 },
  ),
});

function eventsOf(h: { start: Day; changes: { offset: number; hold: number; recurrent?: string | undefined }[] }): AccountEvent[] {
  const sorted = [...h.changes].sort((a, b) => a.offset - b.offset);
  const out: AccountEvent[] = [];
  for (const c of sorted) {
    const date = formatDay(h.start + c.offset);
    if (c.recurrent !== undefined) out.push({ date, type: 'prices', prices: { mailbox: { recurrent: c.recurrent } } });
  }
  for (const c of sorted) out.push({ date: formatDay(h.start + c.offset), type: 'hold', hold: { mailbox: String(c.hold) } });
  // prices before holds on the same day; keep date order overall
  return out.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : a.type === 'prices' ? -1 : b.type === 'prices' ? 1 : 0));
}

describe('billing invariants', () => {
  it('a refund never exceeds what was paid in the same period', () => {
    fc.assert(
      fc.property(history, (h) => {
        const open: OpenAccount = { start: formatDay(h.start), prices: countPrices(h.recurrent), hold: { mailbox: String(h.initial) }, periodMonths: h.months };
        const until = formatDay(h.start + 410);
        const { lines } = simulate(open, eventsOf(h), until);
        let k = 0;
        let periodEnd = addMonths(h.start, h.months);
        let paid = 0;
        let refunded = 0;
        let refunds = 0;
        // Checked once a day's lines are all in: a day lists its refund before its recurrent line,
        // and a unit bought and released on one day is in both (fast-check found that ordering).
        const check = () => expect(refunded).toBeLessThanOrEqual(paid + refunds); // a cent of rounding per refund line
        for (const [i, l] of lines.entries()) {
          const day = Date.parse(l.date) / 86_400_000;
          while (day >= periodEnd) {
            k += 1;
            periodEnd = addMonths(h.start, (k + 1) * h.months);
            paid = 0;
            refunded = 0;
            refunds = 0;
          }
          if (l.type === 'recurrent') paid += cents(l.amount);
          if (l.type === 'refund') {
            expect(cents(l.amount)).toBeLessThan(0);
            refunded -= cents(l.amount);
            refunds += 1;
          }
          if (lines[i + 1]?.date !== l.date) check();
        }
      }),
      { numRuns: 300 },
    );
  });

  it('an increase and a decrease on the same day net to zero', () => {
    fc.assert(
      fc.property(history, fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 27 }), (h, extra, dayOfMonth) => {
        const open: OpenAccount = { start: formatDay(h.start), prices: countPrices(h.recurrent, '1', '0'), hold: { mailbox: String(h.initial) }, periodMonths: h.months };
        const events = eventsOf(h);
        const { year, month0 } = { year: new Date(h.start * 86_400_000).getUTCFullYear(), month0: new Date(h.start * 86_400_000).getUTCMonth() };
        let D = fromYmd(year, month0 + 2, dayOfMonth);
        // not a period start, so the day's lines hold only the pair
        const starts = new Set(Array.from({ length: 30 }, (_, i) => addMonths(h.start, i * h.months)));
        if (starts.has(D)) D += 1;
        const before = events.filter((e) => e.date < formatDay(D));
        const s = openAccount(open);
        for (const e of before) applyEvent(s, e);
        advance(s, formatDay(D));
        const heldNow = s.resources.mailbox!.held;
        applyEvent(s, { date: formatDay(D), type: 'hold', hold: { mailbox: heldNow.plus(extra).toFixed() } });
        applyEvent(s, { date: formatDay(D), type: 'hold', hold: { mailbox: heldNow.toFixed() } });
        settle(s);
        const day = ledgerLines(s).filter((l) => l.date === formatDay(D));
        expect(day.reduce((t, l) => t + cents(l.amount), 0)).toBe(0);
      }),
      { numRuns: 300 },
    );
  });

  it("the allowances of a month's windows add up to the monthly allowance", () => {
    // A count month [from, to) cut at C (a change or the period end): the window [from, C) gets
    // days(from, C) / days(from, to) of the allowance, and the rest of the month, at the same rate, the remainder.
    fc.assert(
      fc.property(anyDay, fc.integer({ min: 0, max: 14 }), fc.integer({ min: 1, max: 30 }), price, (anchor, k, cut, allowance) => {
        const from = addMonths(anchor, k);
        const to = addMonths(anchor, k + 1);
        const C = from + (cut % (to - from));
        const A = new Dec(allowance);
        const first = windowShare(from, C, to).times(A);
        const rest = Ratio.of(new Dec(to - C), new Dec(to - from)).times(A);
        expect(first.add(rest).value().eq(A)).toBe(true);
        expect(windowShare(from, to, to).times(A).value().eq(A)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('with no changes every window of a period is a whole month: usage is exactly what exceeds the allowance', () => {
    fc.assert(
      fc.property(anyDay, fc.constantFrom(1, 3, 6, 12), fc.array(fc.integer({ min: 0, max: 40 }), { minLength: 12, maxLength: 12 }), (start, months, perMonth) => {
        const prices: PriceTable = { traffic: { kind: 'flow', free: '10', setup: '0', recurrent: '0', usage: '1' } };
        const events: AccountEvent[] = perMonth.map((gb, i) => ({ date: formatDay(addMonths(start, i)), type: 'use', use: { traffic: String(gb) } }));
        const until = formatDay(addMonths(start, 12));
        const { lines } = simulate({ start: formatDay(start), prices, hold: { traffic: '10' }, periodMonths: months }, events, until);
        const expected = perMonth.map((gb, i) => ({ date: formatDay(addMonths(start, i + 1)), amount: Math.max(0, gb - 10) })).filter((x) => x.amount > 0);
        expect(lines.map((l) => ({ date: l.date, amount: cents(l.amount) / 100 }))).toEqual(expected);
      }),
      { numRuns: 200 },
    );
  });

  it('applying the same events twice gives the same ledger, also across a stored and restored state', () => {
    fc.assert(
      fc.property(history, fc.integer({ min: 0, max: 25 }), (h, cut) => {
        const open: OpenAccount = { start: formatDay(h.start), prices: countPrices(h.recurrent, '1', '1.5'), hold: { mailbox: String(h.initial) }, periodMonths: h.months };
        const events = eventsOf(h);
        const until = formatDay(h.start + 410);
        const a = simulate(open, events, until).lines;
        const b = simulate(open, events, until).lines;
        expect(b).toEqual(a);
        let s = openAccount(open);
        events.slice(0, cut).forEach((e) => applyEvent(s, e));
        s = stateFromJSON(JSON.parse(JSON.stringify(stateToJSON(s))));
        events.slice(cut).forEach((e) => applyEvent(s, e));
        advance(s, until);
        settle(s);
        expect(s.lines).toEqual(a);
        expect(new Set(a.map((l) => l.id)).size).toBe(a.length);
      }),
      { numRuns: 200 },
    );
  });
});

