/**
 * billing-rules.md rule by rule, through the scenario format. Expected values are worked out by hand
 * in the comments.
 */
import { describe, expect, it } from 'vitest';
import { lineOf, linesOf, run } from './helpers';

const flow = (p: Record<string, string> = {}) => ({ kind: 'flow', free: '10', setup: '0', recurrent: '0', usage: '1', ...p });
const summary = (out: ReturnType<typeof run>) => out.lines.map((l) => `${l.date} ${l.resource} ${l.type} ${l.quantity} ${l.amount}`);

describe('usage windows', () => {
  it('seed "traffic reset": 2-month period from Mar 10, limit changed Mar 20 → closes Mar 20, Apr 20 and May 10', () => {
    const out = run({
      periodMonths: 2,
      start: '2026-03-10',
      until: '2026-05-10',
      resources: { traffic: flow() },
      hold: { traffic: '10' },
      events: [
        { date: '2026-03-19', use: { traffic: '20' } }, // [Mar 10, Mar 20): 10 × 10/31 = 3.2258 → 16.7742 over
        { date: '2026-03-20', hold: { traffic: '11' } },
        { date: '2026-04-19', use: { traffic: '12' } }, // [Mar 20, Apr 20): 11 → 1 over
        { date: '2026-05-09', use: { traffic: '11' } }, // [Apr 20, May 10): 11 × 20/30 = 7.3333 → 3.6667 over
      ],
    });
    expect(linesOf(out, { type: 'usage' }).map((l) => [l.date, l.amount])).toEqual([
      ['2026-03-20', '16.77'],
      ['2026-04-20', '1.00'],
      ['2026-05-10', '3.67'],
    ]);
  });

  it('seed "traffic calculations": 3-month period from Mar 1, change Apr 14 → closes Apr 1, Apr 14, May 14 and Jun 1 (share 18/31)', () => {
    const out = run({
      periodMonths: 3,
      start: '2026-03-01',
      until: '2026-06-01',
      resources: { traffic: flow() },
      hold: { traffic: '10' },
      events: [
        { date: '2026-03-31', use: { traffic: '11' } }, // [Mar 1, Apr 1) → 1
        { date: '2026-04-13', use: { traffic: '10' } }, // [Apr 1, Apr 14): 10 × 13/30 = 4.3333 → 5.6667
        { date: '2026-04-14', hold: { traffic: '9' } }, // a change inside free still resets the window
        { date: '2026-04-14', use: { traffic: '12' } }, // [Apr 14, May 14): max(9, 10) = 10 → 2
        { date: '2026-05-14', use: { traffic: '10' } }, // [May 14, Jun 1): 10 × 18/31 = 5.8065 → 4.1935
      ],
    });
    expect(linesOf(out, { type: 'usage' }).map((l) => [l.date, l.amount])).toEqual([
      ['2026-04-01', '1.00'],
      ['2026-04-14', '5.67'],
      ['2026-05-14', '2.00'],
      ['2026-06-01', '4.19'],
    ]);
  });

  it('Jan 31 anchor: the Feb 28 window has M = Mar 31, a window from a Mar 20 change has M = Apr 20', () => {
    const out = run({
      periodMonths: 3,
      start: '2026-01-31',
      until: '2026-04-30',
      resources: { traffic: flow({ free: '0' }) },
      hold: { traffic: '31' },
      events: [
        { date: '2026-02-27', use: { traffic: '31' } }, // [Jan 31, Feb 28): share 1 → 0
        { date: '2026-03-01', use: { traffic: '31' } }, // [Feb 28, Mar 20): 31 × 20/31 = 20 → 11
        { date: '2026-03-20', hold: { traffic: '30' } },
        { date: '2026-04-01', use: { traffic: '30' } }, // [Mar 20, Apr 20): 30 → 0
        { date: '2026-04-25', use: { traffic: '20' } }, // [Apr 20, Apr 30): 30 × 10/30 = 10 → 10
      ],
    });
    expect(linesOf(out, { type: 'usage' }).map((l) => [l.date, l.quantity, l.amount])).toEqual([
      ['2026-03-20', '11', '11.00'],
      ['2026-04-30', '10', '10.00'],
    ]);
  });

  it('a limit change on a boundary day: the boundary closes the month, the change opens a new count from that day', () => {
    const out = run({
      start: '2026-03-01',
      until: '2026-05-01',
      periodMonths: 2,
      resources: { traffic: flow() },
      hold: { traffic: '10' },
      events: [
        { date: '2026-03-10', use: { traffic: '12' } },
        { date: '2026-04-01', hold: { traffic: '20' } },
        { date: '2026-04-01', use: { traffic: '25' } }, // [Apr 1, May 1): 20 → 5 over
      ],
    });
    expect(linesOf(out, { type: 'usage' }).map((l) => [l.date, l.amount])).toEqual([
      ['2026-04-01', '2.00'],
      ['2026-05-01', '5.00'],
    ]);
  });

  it('free and usage price changes apply at once, including on a closing day', () => {
    const out = run({
      start: '2026-03-01',
      until: '2026-04-01',
      resources: { traffic: flow({ usage: '5' }) },
      hold: { traffic: '10' },
      events: [
        { date: '2026-03-05', use: { traffic: '15' } },
        { date: '2026-04-01', prices: { traffic: { free: '12', usage: '3' } } }, // (15 - 12) × 3
      ],
    });
    expect(lineOf(out, { type: 'usage' })).toMatchObject({ date: '2026-04-01', quantity: '3', amount: '9.00' });
  });

  it('level: the last measurement in the window over max(held, free), prorated for a short window', () => {
    const out = run({
      start: '2026-04-01',
      until: '2026-05-01',
      resources: { disk_quota: { kind: 'level', free: '100', recurrent: '0', usage: '0.3' } },
      hold: { disk_quota: '100' },
      events: [
        { date: '2026-04-02', measure: { disk_quota: '500' } },
        { date: '2026-04-09', measure: { disk_quota: '130' } }, // last before the change: 30 over × 0.3 × 10/30 = 3.00
        { date: '2026-04-11', hold: { disk_quota: '120' } },
        { date: '2026-04-11', measure: { disk_quota: '900' } }, // belongs to the window from Apr 11, but is replaced:
        { date: '2026-04-30', measure: { disk_quota: '125' } }, // [Apr 11, May 1): 5 × 0.3 × 20/30 = 1.00
      ],
    });
    expect(linesOf(out, { type: 'usage' }).map((l) => [l.date, l.quantity, l.amount])).toEqual([
      ['2026-04-11', '30', '3.00'],
      ['2026-05-01', '5', '1.00'],
    ]);
  });

  it('level: no measurement in a window means no line; a measurement on the closing day is the next window\'s', () => {
    const out = run({
      start: '2026-04-01',
      until: '2026-06-01',
      resources: { mysql_quota: { free: '90', usage: '20' } },
      hold: { mysql_quota: '90' },
      events: [{ date: '2026-05-01', measure: { mysql_quota: '91' } }],
    });
    expect(out.lines).toEqual([{ date: '2026-06-01', resource: 'mysql_quota', type: 'usage', quantity: '1', amount: '20.00' }]);
  });
});

describe('setup, recurrent and refunds', () => {
  it('setup on units beyond max(old, free), never refunded; recurrent prorated on increases', () => {
    const out = run({
      start: '2026-04-01',
      until: '2026-04-30',
      resources: { mailbox: { kind: 'count', free: '2', setup: '1', recurrent: '3' } },
      hold: { mailbox: '3' }, // setup 1, recurrent 3
      events: [
        { date: '2026-04-11', hold: { mailbox: '1' } }, // release 1 bought at 3: -3 × 20/30 = -2.00
        { date: '2026-04-21', hold: { mailbox: '4' } }, // 2 beyond free: setup 2, recurrent 2 × 3 × 10/30 = 2.00
      ],
    });
    expect(summary(out)).toEqual([
      '2026-04-01 mailbox setup 1 1.00',
      '2026-04-01 mailbox recurrent 1 3.00',
      '2026-04-11 mailbox refund 1 -2.00',
      '2026-04-21 mailbox setup 2 2.00',
      '2026-04-21 mailbox recurrent 2 2.00',
    ]);
    expect(out.total).toBe('6.00');
  });

  it('refunds release the latest bought first, at the price charged this period, in one line', () => {
    const out = run({
      start: '2026-03-01', // 31 days
      until: '2026-04-01',
      resources: { dedicated_ip: { free: '0', recurrent: '1' } },
      hold: { dedicated_ip: '1' },
      events: [
        { date: '2026-03-11', hold: { dedicated_ip: '2' } }, // 1 × 21/31 = 0.68
        { date: '2026-03-12', prices: { dedicated_ip: { recurrent: '2' } } },
        { date: '2026-03-16', hold: { dedicated_ip: '3' } }, // 2 × 16/31 = 1.03
        { date: '2026-03-21', hold: { dedicated_ip: '1' } }, // -(2 + 1) × 11/31 = -1.0645
      ],
    });
    expect(summary(out)).toEqual([
      '2026-03-01 dedicated_ip recurrent 1 1.00',
      '2026-03-11 dedicated_ip recurrent 1 0.68',
      '2026-03-16 dedicated_ip recurrent 1 1.03',
      '2026-03-21 dedicated_ip refund 2 -1.06',
      '2026-04-01 dedicated_ip recurrent 1 2.00', // the new price from the next period
    ]);
  });

  it('an increase and a decrease on the same day net to zero', () => {
    const out = run({
      start: '2026-03-01',
      until: '2026-03-31',
      resources: { traffic: flow({ recurrent: '0.7' }) },
      hold: { traffic: '10' },
      events: [
        { date: '2026-03-07', hold: { traffic: '13' } },
        { date: '2026-03-07', hold: { traffic: '10' } },
      ],
    });
    const day = linesOf(out, { date: '2026-03-07' });
    expect(day.map((l) => l.type).sort()).toEqual(['recurrent', 'refund']);
    expect(day.reduce((t, l) => t + Math.round(Number(l.amount) * 100), 0)).toBe(0);
  });

  it('a whole-period price replaces recurrent × P', () => {
    const out = run({
      periodMonths: 3,
      start: '2026-03-01',
      until: '2026-06-01',
      resources: { mailbox: { free: '0', recurrent: '3', periodPrices: { '3': '8' } } },
      hold: { mailbox: '2' },
    });
    expect(linesOf(out, { type: 'recurrent' }).map((l) => [l.date, l.amount])).toEqual([
      ['2026-03-01', '16.00'],
      ['2026-06-01', '16.00'],
    ]);
  });

  it('a recurrent price change applies to purchases after it and to the next period, not to what was paid', () => {
    const out = run({
      periodMonths: 2,
      start: '2026-03-01',
      until: '2026-05-01',
      resources: { traffic: flow({ recurrent: '2' }) },
      hold: { traffic: '12' }, // 2 × 2 × 2 = 8
      events: [
        { date: '2026-03-15', prices: { traffic: { recurrent: '3' } } },
        { date: '2026-04-01', hold: { traffic: '13' } }, // 1 × 3 × 2 × 30/61 = 2.9508
      ],
    });
    expect(linesOf(out, { type: 'recurrent' }).map((l) => [l.date, l.amount])).toEqual([
      ['2026-03-01', '8.00'],
      ['2026-04-01', '2.95'],
      ['2026-05-01', '18.00'],
    ]);
  });
});

describe('periods at month ends', () => {
  const monthly = (start: string, until: string) =>
    linesOf(run({ start, until, resources: { mailbox: { free: '0', recurrent: '1' } }, hold: { mailbox: '1' } }), { type: 'recurrent' }).map((l) => l.date);

  it('starting on the 29th, 30th and 31st across a non-leap February', () => {
    expect(monthly('2027-01-29', '2027-04-29')).toEqual(['2027-01-29', '2027-02-28', '2027-03-29', '2027-04-29']);
    expect(monthly('2027-01-30', '2027-04-30')).toEqual(['2027-01-30', '2027-02-28', '2027-03-30', '2027-04-30']);
    expect(monthly('2027-01-31', '2027-05-31')).toEqual(['2027-01-31', '2027-02-28', '2027-03-31', '2027-04-30', '2027-05-31']);
  });

  it('across the leap February of 2028', () => {
    expect(monthly('2028-01-29', '2028-03-29')).toEqual(['2028-01-29', '2028-02-29', '2028-03-29']);
    expect(monthly('2028-01-31', '2028-03-31')).toEqual(['2028-01-31', '2028-02-29', '2028-03-31']);
    expect(monthly('2028-02-29', '2029-03-01')).toContain('2029-02-28');
  });

  it('periods renew until `until` inclusive, and the closing day\'s charges are in', () => {
    expect(monthly('2026-03-31', '2026-04-29')).toEqual(['2026-03-31']);
    expect(monthly('2026-03-31', '2026-04-30')).toEqual(['2026-03-31', '2026-04-30']);
  });

  it('proration uses the clamped period: Feb 28 → Mar 31 is 31 days for an account started Jan 31', () => {
    const out = run({
      start: '2027-01-31',
      until: '2027-03-30',
      resources: { mailbox: { free: '0', recurrent: '31' } },
      hold: { mailbox: '0' },
      events: [{ date: '2027-03-01', hold: { mailbox: '1' } }], // 31 × 30/31 = 30.00
    });
    expect(lineOf(out, { type: 'recurrent' })).toMatchObject({ date: '2027-03-01', amount: '30.00' });
  });
});

describe('credit limit, suspension, trial, money-back, plan and period changes (docs/billing.md extensions)', () => {
  it('refuses a purchase the credit limit does not cover, changing nothing', () => {
    const out = run({
      start: '2026-03-01',
      until: '2026-04-01',
      creditLimit: '5',
      resources: { mailbox: { free: '0', setup: '2', recurrent: '3' } },
      hold: { mailbox: '1' }, // -5.00: exactly at the limit
      events: [{ date: '2026-03-02', hold: { mailbox: '2' } }],
    });
    expect(linesOf(out, { date: '2026-03-02' })).toEqual([]);
    expect(out.notices?.[0]?.message).toMatch(/refused/);
  });

  it('a close that leaves the balance below the limit suspends; a payment resumes with a new period', () => {
    const out = run({
      start: '2026-03-01',
      until: '2026-05-10',
      creditLimit: '5',
      resources: { traffic: flow({ recurrent: '1', usage: '1' }) },
      hold: { traffic: '12' }, // -2
      events: [
        { date: '2026-03-10', use: { traffic: '20' } }, // Apr 1: usage 20 - 12 = 8 → -10, below -5: suspended, no renewal
        { date: '2026-04-20', pay: '20' }, // +10: resumes on Apr 20, a new period to May 20: recurrent 2
      ],
    });
    expect(summary(out)).toEqual([
      '2026-03-01 traffic recurrent 2 2.00',
      '2026-04-01 traffic usage 8 8.00',
      '2026-04-20 traffic recurrent 2 2.00',
    ]);
    expect(out.notices?.map((n) => n.date)).toEqual(['2026-04-01', '2026-04-20']);
  });

  it('a trial is charged nothing, is suspended when it ends, and conversion opens the first paid period', () => {
    const out = run({
      start: '2026-03-01',
      until: '2026-04-30',
      trialDays: 14,
      resources: { mailbox: { free: '1', setup: '5', recurrent: '2' } },
      hold: { mailbox: '2' },
      events: [{ date: '2026-03-20', convert: true }],
    });
    expect(summary(out)).toEqual(['2026-03-20 mailbox setup 1 5.00', '2026-03-20 mailbox recurrent 1 2.00', '2026-04-20 mailbox recurrent 1 2.00']);
    expect(out.notices?.[0]).toEqual({ date: '2026-03-15', message: expect.stringMatching(/trial/) });
  });

  it('closing within the money-back days refunds the first period\'s setup and recurrent in full; usage stays', () => {
    const out = run({
      start: '2026-03-01',
      until: '2026-06-01',
      moneyBackDays: 30,
      resources: { traffic: flow({ setup: '1', recurrent: '2' }) },
      hold: { traffic: '13' }, // setup 3, recurrent 6
      events: [
        { date: '2026-03-05', use: { traffic: '11' } },
        { date: '2026-03-11', close: true }, // usage: 11 - 13 × 10/31 = 6.8065
      ],
    });
    expect(summary(out)).toEqual([
      '2026-03-01 traffic setup 3 3.00',
      '2026-03-01 traffic recurrent 3 6.00',
      '2026-03-11 traffic usage 6.806452 6.81',
      '2026-03-11 traffic refund 3 -9.00',
    ]);
    expect(out.total).toBe('6.81');
  });

  it('closing after the money-back days refunds only the unused recurrent', () => {
    const out = run({
      start: '2026-03-01',
      until: '2026-06-01',
      moneyBackDays: 5,
      resources: { mailbox: { free: '0', setup: '1', recurrent: '31' } },
      hold: { mailbox: '1' },
      events: [{ date: '2026-03-11', close: true }],
    });
    expect(summary(out)).toEqual(['2026-03-01 mailbox setup 1 1.00', '2026-03-01 mailbox recurrent 1 31.00', '2026-03-11 mailbox refund 1 -21.00']);
  });

  it('a billing-period change closes the period (refund) and opens the new one that day without setup', () => {
    const out = run({
      start: '2026-03-01',
      until: '2026-05-01',
      resources: { mailbox: { free: '0', setup: '4', recurrent: '31', periodPrices: { '3': '80' } } },
      hold: { mailbox: '1' },
      events: [{ date: '2026-03-11', periodMonths: 3 }],
    });
    expect(summary(out)).toEqual([
      '2026-03-01 mailbox setup 1 4.00',
      '2026-03-01 mailbox recurrent 1 31.00',
      '2026-03-11 mailbox refund 1 -21.00',
      '2026-03-11 mailbox recurrent 1 80.00',
    ]);
  });

  it('a plan change closes the period and opens the new plan\'s period that day', () => {
    const out = run({
      start: '2026-03-01',
      until: '2026-04-30',
      resources: { traffic: flow({ recurrent: '2' }), mailbox: { free: '0', setup: '5', recurrent: '1' } },
      hold: { traffic: '12', mailbox: '2' },
      events: [
        { date: '2026-03-10', use: { traffic: '20' } },
        {
          date: '2026-03-21', // 11 of 31 days left
          plan: { resources: { traffic: { kind: 'flow', free: '11', recurrent: '3', usage: '2' }, mailbox: { free: '1', setup: '5', recurrent: '2' } } },
        },
      ],
    });
    expect(summary(out)).toEqual([
      '2026-03-01 mailbox setup 2 10.00',
      '2026-03-01 traffic recurrent 2 4.00',
      '2026-03-01 mailbox recurrent 2 2.00',
      '2026-03-21 traffic usage 12.258065 12.26', // 20 - 12 × 20/31 at the old plan's usage price: used under the old plan
      '2026-03-21 traffic refund 2 -1.42', // -4 × 11/31
      '2026-03-21 mailbox refund 2 -0.71', // -2 × 11/31
      '2026-03-21 traffic recurrent 1 3.00',
      '2026-03-21 mailbox recurrent 1 2.00',
      '2026-04-21 traffic recurrent 1 3.00',
      '2026-04-21 mailbox recurrent 1 2.00',
    ]);
  });
});
