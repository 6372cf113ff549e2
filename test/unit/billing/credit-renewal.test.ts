/**
 * billing-rules "Balance, credit limit, trial, money-back" (issue 8): a renewal whose recurrent the
 * credit limit does not cover is not charged — the account is suspended that day with no period
 * open and a notice; it resumes (by a payment or `resume`) only when the balance then covers the new
 * period's recurrent within the limit; a `resume` it does not cover is refused (402) and changes nothing.
 */
import { describe, expect, it } from 'vitest';
import { PaymentRequiredError } from '../../../shared/domain/errors';
import { advance, applyEvent, balance, cloneState, ledgerLines, openAccount, periodRecurrent, stateToJSON } from '../../../shared/domain/billing/engine';
import type { PriceTable } from '../../../shared/domain/billing/plan';

const prices: PriceTable = { mailbox: { kind: 'count', free: '0', setup: '0', recurrent: '3', usage: '0' } };
const open = (creditLimit: string | null = '5') => {
  const s = openAccount({ start: '2026-03-01', prices, hold: { mailbox: '1' }, creditLimit });
  advance(s, '2026-03-01');
  return s;
};
const summary = (s: ReturnType<typeof open>) => ledgerLines(s).map((l) => `${l.date} ${l.type} ${l.amount}`);

describe('a renewal the credit limit does not cover', () => {
  it('is not charged: suspended on the renewal day, no period open, a notice (the issue: -6.00 against 5.00)', () => {
    const s = open();
    expect(balance(s).toFixed(2)).toBe('-3.00');
    advance(s, '2026-04-01');
    expect(s.status).toBe('suspended');
    expect(s.suspendedFor).toBe('credit');
    expect(s.period).toBeNull();
    expect(summary(s)).toEqual(['2026-03-01 recurrent 3.00']);
    expect(balance(s).toFixed(2)).toBe('-3.00');
    expect(s.notices).toEqual([{ date: '2026-04-01', message: expect.stringMatching(/renewal.*not charged.*3\.00.*-6\.00.*credit limit -5/) }]);
    // Nothing renews while suspended.
    advance(s, '2026-06-15');
    expect(summary(s)).toEqual(['2026-03-01 recurrent 3.00']);
  });

  it('is charged when it takes the balance exactly to minus the limit, and without a credit limit', () => {
    const s = open('6');
    advance(s, '2026-04-01');
    expect(s.status).toBe('active');
    expect(balance(s).toFixed(2)).toBe('-6.00');
    const none = open(null);
    advance(none, '2026-05-01');
    expect(none.status).toBe('active');
    expect(balance(none).toFixed(2)).toBe('-9.00');
  });

  it('a close that already leaves the balance below the limit suspends as before (one notice)', () => {
    const s = open('2');
    advance(s, '2026-04-01');
    expect(s.status).toBe('suspended');
    expect(s.notices).toHaveLength(1);
    expect(summary(s)).toEqual(['2026-03-01 recurrent 3.00']);
  });
});

describe('resuming a suspended account', () => {
  const suspended = () => {
    const s = open();
    advance(s, '2026-04-01');
    return s;
  };

  it('a payment that does not cover the new recurrent within the limit leaves it suspended', () => {
    const s = suspended();
    applyEvent(s, { date: '2026-04-10', type: 'pay', amount: '0.50' }); // -2.50 - 3 = -5.50 < -5
    expect(s.status).toBe('suspended');
    expect(balance(s).toFixed(2)).toBe('-2.50');
    applyEvent(s, { date: '2026-04-10', type: 'pay', amount: '0.50' }); // -2.00 - 3 = -5.00: covered
    expect(s.status).toBe('active');
    expect(s.period).toMatchObject({ months: 1 });
    expect(balance(s).toFixed(2)).toBe('-5.00');
    expect(summary(s)).toEqual(['2026-03-01 recurrent 3.00', '2026-04-10 recurrent 3.00']);
  });

  it('a resume it does not cover is refused with 402 (strict) naming the credit limit, and changes nothing', () => {
    const s = suspended();
    applyEvent(s, { date: '2026-04-10', type: 'suspend' }); // ignored: already suspended
    const before = JSON.stringify(stateToJSON(cloneState(s)));
    // Below minus the limit only after the recurrent: balance -3.00 is within -5, the period is not.
    expect(balance(s).gte(-5)).toBe(true);
    let err: unknown;
    try {
      applyEvent(s, { date: '2026-04-10', type: 'resume' }, { strict: true });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(PaymentRequiredError);
    expect((err as PaymentRequiredError).code).toBe('CREDIT_LIMIT');
    expect((err as PaymentRequiredError).message).toMatch(/credit limit -5/);
    expect(Object.keys((err as PaymentRequiredError).fields ?? {})).toEqual(['creditLimit']);
    expect(JSON.stringify(stateToJSON(s))).toBe(before);
  });

  it('a resume of a reseller suspension that the balance covers opens a new period; one it does not is a notice in the simulator', () => {
    const s = open('10');
    applyEvent(s, { date: '2026-03-05', type: 'suspend' }); // refund 3 × 27/31
    applyEvent(s, { date: '2026-03-06', type: 'resume' }, { strict: true });
    expect(s.status).toBe('active');
    expect(s.period).toMatchObject({ months: 1 });

    const t = open('3');
    applyEvent(t, { date: '2026-03-05', type: 'suspend' }); // balance -0.39
    applyEvent(t, { date: '2026-03-06', type: 'resume' }); // -0.39 - 3 < -3
    expect(t.status).toBe('suspended');
    expect(t.notices.at(-1)?.message).toMatch(/^resume refused: .*credit limit -3/);
  });

  it('periodRecurrent is the whole new period at today\'s prices and holdings', () => {
    const s = open();
    expect(periodRecurrent(s).toFixed()).toBe('3');
    expect(periodRecurrent(s, 3).toFixed()).toBe('9');
  });
});
