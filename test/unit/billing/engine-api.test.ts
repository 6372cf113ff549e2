import { describe, expect, it } from 'vitest';
import { PaymentRequiredError, ValidationError } from '../../../shared/domain/errors';
import {
  advance,
  applyEvent,
  balance,
  openAccount,
  pendingLines,
  previewNextPeriod,
  settle,
  settledLines,
} from '../../../shared/domain/billing/engine';
import { defaultHolding, parsePlan, priceTableOf } from '../../../shared/domain/billing/plan';

const planInput = {
  name: 'Basic',
  resources: {
    traffic: { free: '10', recurrent: '2', usage: '5' },
    disk_quota: { free: '1000', recurrent: '0,01', usage: '0.02' },
    mailbox: { free: '2', setup: '1', recurrent: '0.5', max: '10' },
    dedicated_ip: { free: '0', setup: '3', recurrent: '1', activeByDefault: false, periodPrices: { '12': '10' } },
    pgsql_db: { included: false, recurrent: '2' },
  },
  trialDays: 14,
  creditLimit: '20',
  moneyBackDays: 30,
  defaultIpType: 'dedicated',
  billingPeriods: [3, 12],
};

describe('plan', () => {
  it('parses the wizard data, canonicalising prices and kinds from the catalog', () => {
    const plan = parsePlan(planInput);
    expect(plan.billingPeriods).toEqual([1, 3, 12]);
    expect(plan.resources.disk_quota).toMatchObject({ kind: 'level', recurrent: '0.01', included: true, activeByDefault: true });
    expect(plan.resources.traffic!.kind).toBe('flow');
    expect(plan.defaultIpType).toBe('dedicated');
    expect(Object.keys(priceTableOf(plan))).not.toContain('pgsql_db');
    expect(defaultHolding(plan)).toMatchObject({ traffic: '10', dedicated_ip: '0' });
  });

  it.each([
    [{ ...planInput, resources: { traffic: { usage: '1,5.0' } } }, 'resources.traffic.usage'],
    [{ ...planInput, resources: { widgets: { free: '1' } } }, 'resources.widgets.kind'],
    [{ ...planInput, defaultIpType: 'private' }, 'defaultIpType'],
    [{ ...planInput, resources: { mailbox: { free: '2.5' } } }, 'resources.mailbox.free'],
    [{ ...planInput, resources: { mailbox: { periodPrices: { '6': '1' } } } }, 'resources.mailbox.periodPrices.6'],
    [{ ...planInput, creditLimit: '-5' }, 'creditLimit'],
  ])('rejects bad input naming the field (%#)', (input, field) => {
    try {
      parsePlan(input);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ValidationError);
      expect(Object.keys((err as ValidationError).fields ?? {})).toEqual([field]);
    }
  });
});

describe('engine API for the persistence layer', () => {
  const prices = priceTableOf(parsePlan(planInput));

  it('refuses an uncovered purchase with PaymentRequiredError in strict mode, changing nothing', () => {
    const s = openAccount({ start: '2026-03-01', prices, hold: { traffic: '10', mailbox: '2' }, creditLimit: '20' });
    advance(s, '2026-03-01');
    expect(() => applyEvent(s, { date: '2026-03-02', type: 'hold', hold: { dedicated_ip: '6' } }, { strict: true })).toThrow(PaymentRequiredError); // 18 + 5.81 > 20
    expect(s.resources.dedicated_ip!.held.toFixed()).toBe('0');
    expect(balance(s).toFixed()).toBe('0');
    applyEvent(s, { date: '2026-03-02', type: 'hold', hold: { dedicated_ip: '2' } }, { strict: true });
    // 2 × 3 setup + 2 × 1 × 30/31 recurrent
    expect(pendingLines(s).map((l) => [l.id, l.amount])).toEqual([
      ['2026-03-02#dedicated_ip#setup', '6.00'],
      ['2026-03-02#dedicated_ip#recurrent', '1.94'],
    ]);
    expect(settledLines(s)).toEqual([]);
    settle(s);
    expect(settledLines(s)).toHaveLength(2);
    expect(() => applyEvent(s, { date: '2026-03-02', type: 'use', use: { traffic: '1' } })).toThrow(ValidationError);
  });

  it('previews the next period under current or other prices', () => {
    const s = openAccount({ start: '2026-03-01', prices, hold: { traffic: '12', mailbox: '4' }, periodMonths: 1 });
    advance(s, '2026-03-10');
    expect(previewNextPeriod(s)).toEqual({
      date: '2026-04-01',
      lines: [
        { id: '2026-04-01#traffic#recurrent', date: '2026-04-01', resource: 'traffic', type: 'recurrent', quantity: '2', amount: '4.00' },
        { id: '2026-04-01#mailbox#recurrent', date: '2026-04-01', resource: 'mailbox', type: 'recurrent', quantity: '2', amount: '1.00' },
      ],
      total: '5.00',
    });
    expect(previewNextPeriod(s, prices, 12).total).toBe('60.00'); // 2 × 2 × 12 + 2 × 0.5 × 12
  });
});
