/**
 * Exact money and quantity arithmetic. Everything is a decimal.js value built from a string;
 * a JS number never holds money. Ledger amounts are the only rounded values (2 decimals, half-up,
 * once per line), so intermediate values are kept as exact ratios (see Ratio).
 */
import DecimalBase from 'decimal.js';
import { ValidationError } from '../errors';

/** A private Decimal: 100 significant digits keeps every product of our inputs exact. */
export const Dec = DecimalBase.clone({ precision: 100, rounding: DecimalBase.ROUND_HALF_UP, toExpNeg: -30, toExpPos: 40 });
export type Dec = InstanceType<typeof Dec>;

export const ZERO = new Dec('0');
export const ONE = new Dec('1');

export function dec(value: string): Dec {
  return new Dec(value);
}

export function max(a: Dec, b: Dec): Dec {
  return a.gte(b) ? a : b;
}

export function min(a: Dec, b: Dec): Dec {
  return a.lte(b) ? a : b;
}

/** Half-up (away from zero on a tie, so a refund mirrors the charge it undoes) to 2 decimals. */
export function roundCents(value: Dec): Dec {
  return value.toDecimalPlaces(2, DecimalBase.ROUND_HALF_UP);
}

export function formatAmount(value: Dec): string {
  const r = roundCents(value);
  return r.isZero() ? '0.00' : r.toFixed(2);
}

/** Quantities are shown with at most 6 decimals and no trailing zeros. */
export function formatQuantity(value: Dec): string {
  const r = value.toDecimalPlaces(6, DecimalBase.ROUND_HALF_UP);
  return r.isZero() ? '0' : r.toFixed();
}

/**
 * An exact fraction n/d of two decimals. Proration (days(D, end) / days(start, end)) and window
 * shares are fractions that need not terminate; a line sums its parts as a Ratio and divides once.
 */
export class Ratio {
  constructor(readonly n: Dec, readonly d: Dec = ONE) {}
  static of(n: Dec, d: Dec = ONE): Ratio {
    return new Ratio(n, d);
  }
  static readonly zero = new Ratio(ZERO, ONE);
  add(o: Ratio): Ratio {
    if (this.d.eq(o.d)) return new Ratio(this.n.plus(o.n), this.d);
    return new Ratio(this.n.times(o.d).plus(o.n.times(this.d)), this.d.times(o.d));
  }
  neg(): Ratio {
    return new Ratio(this.n.neg(), this.d);
  }
  times(k: Dec): Ratio {
    return new Ratio(this.n.times(k), this.d);
  }
  value(): Dec {
    return this.n.div(this.d);
  }
  isPositive(): boolean {
    return this.n.gt(0) === this.d.gt(0) && !this.n.isZero();
  }
  toJSON(): { n: string; d: string } {
    return { n: this.n.toFixed(), d: this.d.toFixed() };
  }
  static fromJSON(j: { n: string; d: string }): Ratio {
    return new Ratio(new Dec(j.n), new Dec(j.d));
  }
}

export interface DecimalRules {
  /** Most decimals allowed: prices 4; quantities (GB of traffic down to the KB) more. */
  maxDecimals: number;
  /** Counted resources are whole units. */
  integer?: boolean;
  /** The largest value accepted (inclusive), as a decimal string. */
  max?: string;
}

export const PRICE_RULES: DecimalRules = { maxDecimals: 4 };
/** 1 KB is 2^-20 GB = 0.00000095367431640625: 20 decimals express any whole number of KB. */
export const QUANTITY_RULES: DecimalRules = { maxDecimals: 20 };
export const COUNT_RULES: DecimalRules = { maxDecimals: 4, integer: true };
/** Money that changes hands (payments, adjustments): cents, at most one billion. */
export const MONEY_RULES: DecimalRules = { maxDecimals: 2, max: '1000000000' };

const DECIMAL_SHAPE = /^(\d*)(?:[.,](\d*))?$/;

/**
 * Parses a user-entered non-negative decimal. `,` and `.` are both the decimal separator (the seed:
 * validation "doesn't distinguish commas and points"), so a value with two separators is
 * ambiguous (`1,320.50`, `€.1,320`) and rejected, as are signs, letters, blanks and too many decimals.
 * A JSON number is accepted as its shortest decimal spelling.
 */
export function parseDecimal(field: string, input: unknown, rules: DecimalRules = PRICE_RULES): Dec {
  let text: string;
  if (typeof input === 'number') {
    if (!Number.isFinite(input)) throw ValidationError.field(field, 'must be a decimal number');
    text = String(input);
  } else if (typeof input === 'string') {
    text = input;
  } else {
    throw ValidationError.field(field, input === undefined ? 'is required' : 'must be a decimal string such as "2.50"');
  }
  if (text.length === 0) throw ValidationError.field(field, 'must not be empty');
  // Longer than any value the rules can accept: refuse before echoing or parsing it.
  if (text.length > 64) throw ValidationError.field(field, 'is too long for a decimal number');
  if (/[+-]/.test(text)) throw ValidationError.field(field, `"${text}" must not have a sign`);
  const separators = text.match(/[.,]/g)?.length ?? 0;
  if (separators > 1) throw ValidationError.field(field, `"${text}" has more than one decimal separator`);
  const m = DECIMAL_SHAPE.exec(text);
  if (!m) throw ValidationError.field(field, `"${text}" is not a decimal number (digits and one "." or ",")`);
  const whole = m[1] ?? '';
  const frac = m[2] ?? '';
  if (whole.length === 0 && frac.length === 0) throw ValidationError.field(field, `"${text}" has no digits`);
  if (frac.length > rules.maxDecimals) {
    throw ValidationError.field(
      field,
      rules.integer ? `"${text}" must be a whole number` : `"${text}" has more than ${rules.maxDecimals} decimals`,
    );
  }
  const value = new Dec(`${whole || '0'}.${frac || '0'}`);
  if (rules.integer && !value.isInteger()) throw ValidationError.field(field, `"${text}" must be a whole number`);
  if (rules.max !== undefined && value.greaterThan(rules.max)) throw ValidationError.field(field, `must be at most ${rules.max}`);
  return value;
}

/** A price: at most 4 decimals. */
export function parsePrice(field: string, input: unknown): Dec {
  return parseDecimal(field, input, PRICE_RULES);
}
