import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../shared/domain/errors';
import { Dec, Ratio, formatAmount, parseDecimal, parsePrice, QUANTITY_RULES, COUNT_RULES } from '../../../shared/domain/billing/money';

function rejection(fn: () => unknown): ValidationError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ValidationError) return err;
    throw err;
  }
  throw new Error('expected a ValidationError');
}

describe('parsePrice', () => {
  it.each([
    ['2.95', '2.95'],
    ['2,95', '2.95'],
    ['0,1', '0.1'],
    ['10', '10'],
    ['.5', '0.5'],
    ['1,3200', '1.32'],
    ['0.0001', '0.0001'],
  ])('accepts %s as %s', (input, expected) => {
    expect(parsePrice('resources.traffic.usage', input).toFixed()).toBe(expected);
  });

  it.each([
    ['1,320.50', 'more than one decimal separator'],
    ['.1,320', 'more than one decimal separator'],
    ['1.2.3', 'more than one decimal separator'],
    ['-1', 'sign'],
    ['+1', 'sign'],
    ['1e3', 'not a decimal'],
    ['abc', 'not a decimal'],
    ['2 USD', 'not a decimal'],
    [' 2', 'not a decimal'],
    ['1.23456', 'more than 4 decimals'],
    ['', 'empty'],
    ['.', 'no digits'],
  ])('rejects %s naming the field', (input, reason) => {
    const err = rejection(() => parsePrice('resources.traffic.usage', input));
    expect(err.fields).toHaveProperty(['resources.traffic.usage']);
    expect(err.message).toContain('resources.traffic.usage');
    expect(err.message).toContain(reason);
  });

  it('rejects non-strings other than plain numbers', () => {
    expect(rejection(() => parsePrice('p', null)).message).toContain('p');
    expect(rejection(() => parsePrice('p', undefined)).message).toContain('required');
    expect(parsePrice('p', 2.5).toFixed()).toBe('2.5');
    expect(() => parsePrice('p', -1)).toThrow(ValidationError);
  });

  it('quantities may go down to the KB of a GB; counts must be whole', () => {
    expect(parseDecimal('use.traffic', '0.00000095367431640625', QUANTITY_RULES).toFixed()).toBe('0.00000095367431640625');
    expect(() => parseDecimal('hold.mailbox', '2.5', COUNT_RULES)).toThrow(/hold.mailbox.*whole/);
    expect(parseDecimal('hold.mailbox', '3', COUNT_RULES).toFixed()).toBe('3');
  });
});

describe('rounding', () => {
  it('rounds half-up once, symmetrically for refunds', () => {
    expect(formatAmount(new Dec('0.005'))).toBe('0.01');
    expect(formatAmount(new Dec('-0.005'))).toBe('-0.01');
    expect(formatAmount(new Dec('0.0049999'))).toBe('0.00');
    expect(formatAmount(new Dec('-0.001'))).toBe('0.00');
  });

  it('keeps fractions exact until the single rounding', () => {
    // 1/3 + 1/6 = 0.5 exactly; three thirds of 0.03 are 0.03, not 0.02 or 0.04
    const half = Ratio.of(new Dec('1'), new Dec('3')).add(Ratio.of(new Dec('1'), new Dec('6')));
    expect(half.value().toFixed()).toBe('0.5');
    const third = Ratio.of(new Dec('0.01'), new Dec('3'));
    expect(formatAmount(third.add(third).add(third).times(new Dec('3')).value())).toBe('0.03');
    // 0.015 as 3 × 0.005: exactly on the tie, rounds up
    expect(formatAmount(Ratio.of(new Dec('0.045'), new Dec('3')).value())).toBe('0.02');
  });
});
