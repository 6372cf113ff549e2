/**
 * UTC calendar days as integers (days since 1970-01-01), so day arithmetic is exact and cheap.
 * Nothing here reads the clock: dates come in as ISO `YYYY-MM-DD` strings.
 */
import { ValidationError } from '../errors';

export type Day = number;

const MS_PER_DAY = 86_400_000;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

export function parseDay(field: string, input: unknown): Day {
  if (typeof input !== 'string') throw ValidationError.field(field, input === undefined ? 'is required' : 'must be a date "YYYY-MM-DD"');
  const m = ISO_DATE.exec(input);
  if (!m) throw ValidationError.field(field, `"${input}" is not a date "YYYY-MM-DD"`);
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo - 1)) throw ValidationError.field(field, `"${input}" is not a calendar date`);
  return fromYmd(y, mo - 1, d);
}

/** `month0` is 0-based. */
export function fromYmd(year: number, month0: number, day: number): Day {
  return Math.round(Date.UTC(year, month0, day) / MS_PER_DAY);
}

export function toYmd(day: Day): { year: number; month0: number; day: number } {
  const dt = new Date(day * MS_PER_DAY);
  return { year: dt.getUTCFullYear(), month0: dt.getUTCMonth(), day: dt.getUTCDate() };
}

export function formatDay(day: Day): string {
  return new Date(day * MS_PER_DAY).toISOString().slice(0, 10);
}

export function daysInMonth(year: number, month0: number): number {
  return new Date(Date.UTC(year, month0 + 1, 0)).getUTCDate();
}

/** `days(a, b)`: the number of days in the half-open range [a, b). */
export function days(a: Day, b: Day): number {
  return b - a;
}

/**
 * `anchor` plus `months` months, keeping the anchor's day of month and clamping it to the target
 * month's length: from Jan 31, +1 is Feb 28 (29), +2 is Mar 31. Always computed from the original
 * anchor, never by chaining, so a short month does not pull later boundaries back.
 */
export function addMonths(anchor: Day, months: number): Day {
  const { year, month0, day } = toYmd(anchor);
  const total = year * 12 + month0 + months;
  const y = Math.floor(total / 12);
  const m0 = total - y * 12;
  return fromYmd(y, m0, Math.min(day, daysInMonth(y, m0)));
}
