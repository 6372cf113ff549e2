import { describe, expect, it } from 'vitest';
import { addMonths, days, formatDay, parseDay } from '../../../shared/domain/billing/dates';

const d = (s: string) => parseDay('date', s);
const plus = (s: string, months: number) => formatDay(addMonths(d(s), months));

describe('dates', () => {
  it('days(a, b) counts the half-open range', () => {
    expect(days(d('2026-03-15'), d('2026-05-01'))).toBe(47);
    expect(days(d('2026-03-01'), d('2026-05-01'))).toBe(61);
    expect(days(d('2028-02-01'), d('2028-03-01'))).toBe(29);
    expect(days(d('2027-02-01'), d('2027-03-01'))).toBe(28);
  });

  it('months from Jan 31 clamp to the month and come back to the 31st', () => {
    expect([1, 2, 3, 4, 13].map((m) => plus('2026-01-31', m))).toEqual(['2026-02-28', '2026-03-31', '2026-04-30', '2026-05-31', '2027-02-28']);
    expect(plus('2028-01-31', 1)).toBe('2028-02-29');
    expect(plus('2028-01-30', 1)).toBe('2028-02-29');
    expect(plus('2027-01-29', 1)).toBe('2027-02-28');
    expect(plus('2027-01-29', 2)).toBe('2027-03-29');
    expect(plus('2026-12-15', 1)).toBe('2027-01-15');
    expect(plus('2028-02-29', 12)).toBe('2029-02-28');
    expect(plus('2028-02-29', 48)).toBe('2032-02-29');
  });

  it('rejects dates that are not ISO calendar days, naming the field', () => {
    expect(() => parseDay('events[0].date', '2026-02-30')).toThrow(/events\[0\]\.date/);
    expect(() => parseDay('start', '2026-3-1')).toThrow(/start/);
    expect(() => parseDay('start', '2026-03-01T00:00:00Z')).toThrow(/start/);
    expect(() => parseDay('start', 20260301)).toThrow(/start/);
    expect(formatDay(parseDay('x', '2028-02-29'))).toBe('2028-02-29');
  });
});
