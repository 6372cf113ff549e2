/**
 * Every worked example of the billing seed, with the exact values of billing-rules.md
 * ("The seed's worked examples, read exactly"), run through the scenario format.
 */
import { describe, expect, it } from 'vitest';
import { lineOf, linesOf, run } from './helpers';

const traffic = (p: Record<string, string>) => ({ traffic: { kind: 'flow', free: '10', setup: '0', recurrent: '0', usage: '0', ...p } });

describe('seed worked examples (billing-rules.md)', () => {
  it('2-month period from Mar 1, 2 GB bought on Mar 15 at $2/GB/month: 2 × 2 × 2 × 47/61 = 6.16', () => {
    const out = run({
      periodMonths: 2,
      start: '2026-03-01',
      until: '2026-04-30',
      resources: traffic({ recurrent: '2' }),
      hold: { traffic: '10' },
      events: [{ date: '2026-03-15', hold: { traffic: '12' } }],
    });
    expect(out.lines).toEqual([{ date: '2026-03-15', resource: 'traffic', type: 'recurrent', quantity: '2', amount: '6.16' }]);
    expect(out.total).toBe('6.16');
  });

  it('10 GB limit, $5/GB usage, 12 GB used in the month: 10.00 (the closing day\'s usage is the next window\'s)', () => {
    const out = run({
      start: '2026-03-01',
      until: '2026-04-01',
      resources: traffic({ usage: '5' }),
      hold: { traffic: '10' },
      events: [
        { date: '2026-03-01', use: { traffic: '4' } },
        { date: '2026-03-17', use: { traffic: '5' } },
        { date: '2026-03-31', use: { traffic: '3' } },
        { date: '2026-04-01', use: { traffic: '7' } },
      ],
    });
    expect(out.lines).toEqual([{ date: '2026-04-01', resource: 'traffic', type: 'usage', quantity: '2', amount: '10.00' }]);
  });

  it('1-month period from Apr 1, 12 GB limit, 5 GB used, limit changed Apr 11: allowance 12 × 10/30 = 4, 5.00', () => {
    const out = run({
      start: '2026-04-01',
      until: '2026-04-11',
      resources: traffic({ usage: '5' }),
      hold: { traffic: '12' },
      events: [
        { date: '2026-04-03', use: { traffic: '2' } },
        { date: '2026-04-10', use: { traffic: '3' } },
        { date: '2026-04-11', hold: { traffic: '15' } },
        { date: '2026-04-11', use: { traffic: '100' } },
      ],
    });
    expect(lineOf(out, { type: 'usage' })).toEqual({ date: '2026-04-11', resource: 'traffic', type: 'usage', quantity: '1', amount: '5.00' });
  });

  it('$1/GB usage, 10 MB over: 10/1024 = 0.0098 → 0.01 (traffic is charged per KB)', () => {
    const out = run({
      start: '2026-03-01',
      until: '2026-04-01',
      resources: traffic({ usage: '1' }),
      hold: { traffic: '10' },
      events: [{ date: '2026-03-10', use: { traffic: '10.009765625' } }],
    });
    expect(lineOf(out, { type: 'usage' })).toMatchObject({ date: '2026-04-01', amount: '0.01', quantity: '0.009766' });
  });

  describe('free 2, recurrent $3, usage $5, 3-month period, limit 4 from the start', () => {
    const base = {
      periodMonths: 3,
      start: '2026-03-01',
      resources: { traffic: { kind: 'flow', free: '2', setup: '0', recurrent: '3', usage: '5' } },
      hold: { traffic: '4' },
    };
    const month1 = { date: '2026-03-20', use: { traffic: '5' } };

    it('recurrent 18.00; month 1 with 5 GB used: 5.00', () => {
      const out = run({ ...base, until: '2026-04-01', events: [month1] });
      expect(out.lines).toEqual([
        { date: '2026-03-01', resource: 'traffic', type: 'recurrent', quantity: '2', amount: '18.00' },
        { date: '2026-04-01', resource: 'traffic', type: 'usage', quantity: '1', amount: '5.00' },
      ]);
    });

    it('prices up on day 10 of month 2 (free 5, recurrent 4, usage 6), 8 GB used in month 2: 18.00; next period recurrent 0.00', () => {
      const out = run({
        ...base,
        until: '2026-06-01',
        events: [
          month1,
          { date: '2026-04-10', prices: { traffic: { free: '5', recurrent: '4', usage: '6' } } },
          { date: '2026-04-20', use: { traffic: '8' } },
          { date: '2026-05-20', use: { traffic: '8' } },
        ],
      });
      expect(lineOf(out, { date: '2026-05-01', type: 'usage' }).amount).toBe('18.00');
      // "calculations for the 3rd month are the same"
      expect(lineOf(out, { date: '2026-06-01', type: 'usage' }).amount).toBe('18.00');
      // recurrent is not recalculated, and the next period charges nothing: limit 4 < free 5
      expect(linesOf(out, { type: 'recurrent' })).toEqual([{ date: '2026-03-01', resource: 'traffic', type: 'recurrent', quantity: '2', amount: '18.00' }]);
      expect(linesOf(out, { type: 'refund' })).toEqual([]);
    });

    it('prices down instead (free 1, recurrent 1, usage 2), 8 GB used in month 2: 8.00; next period recurrent 9.00', () => {
      const out = run({
        ...base,
        until: '2026-06-01',
        events: [
          month1,
          { date: '2026-04-10', prices: { traffic: { free: '1', recurrent: '1', usage: '2' } } },
          { date: '2026-04-20', use: { traffic: '8' } },
        ],
      });
      expect(lineOf(out, { date: '2026-05-01', type: 'usage' }).amount).toBe('8.00');
      expect(lineOf(out, { date: '2026-06-01', type: 'recurrent' })).toEqual({
        date: '2026-06-01',
        resource: 'traffic',
        type: 'recurrent',
        quantity: '3',
        amount: '9.00',
      });
    });
  });

  it('MySQL quota 90 → 100 MB at $0.10/MB/month: 1.00 a month', () => {
    const out = run({
      start: '2026-01-31',
      until: '2026-04-30',
      resources: { mysql_quota: { kind: 'level', free: '90', setup: '0', recurrent: '0.1', usage: '20' } },
      hold: { mysql_quota: '100' },
    });
    expect(out.lines.map((l) => [l.date, l.type, l.quantity, l.amount])).toEqual([
      ['2026-01-31', 'recurrent', '10', '1.00'],
      ['2026-02-28', 'recurrent', '10', '1.00'],
      ['2026-03-31', 'recurrent', '10', '1.00'],
      ['2026-04-30', 'recurrent', '10', '1.00'],
    ]);
    expect(out.total).toBe('4.00');
  });

  it('MySQL quota: a 3-month period charges the 3 months at its start', () => {
    const out = run({
      periodMonths: 3,
      start: '2026-01-01',
      until: '2026-03-31',
      resources: { mysql_quota: { free: '90', recurrent: '0,1' } },
      hold: { mysql_quota: '100' },
    });
    expect(out.lines).toEqual([{ date: '2026-01-01', resource: 'mysql_quota', type: 'recurrent', quantity: '10', amount: '3.00' }]);
  });
});
