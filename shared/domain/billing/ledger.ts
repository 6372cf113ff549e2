/**
 * Ledger lines. A day's charges are collected as exact parts per (resource, type) and become lines
 * when the day is over: one line per resource and type per day, its parts added exactly and the sum
 * rounded once to cents, half-up. Lines that round to 0.00 are left out.
 */
import { Dec, Ratio, ZERO, formatAmount, formatQuantity, roundCents } from './money';
import { formatDay, type Day } from './dates';

export type LineType = 'setup' | 'recurrent' | 'usage' | 'refund';

export interface LedgerLine {
  /** Deterministic: the same charge always has the same id, so persisting it twice is a no-op. */
  id: string;
  date: string;
  resource: string;
  type: LineType;
  quantity: string;
  amount: string;
}

export function lineId(date: string, resource: string, type: LineType): string {
  return `${date}#${resource}#${type}`;
}

export interface PendingPart {
  resource: string;
  type: LineType;
  quantity: Ratio;
  amount: Ratio;
}

/** The open day's parts, in the order their (resource, type) first appeared. */
export interface PendingDay {
  day: Day;
  parts: Map<string, PendingPart>;
}

export function addPart(p: PendingDay, resource: string, type: LineType, quantity: Ratio, amount: Ratio): void {
  const key = `${resource}#${type}`;
  const cur = p.parts.get(key);
  if (cur) {
    cur.quantity = cur.quantity.add(quantity);
    cur.amount = cur.amount.add(amount);
  } else {
    p.parts.set(key, { resource, type, quantity, amount });
  }
}

export function pendingTotal(p: PendingDay): Dec {
  let t = ZERO;
  for (const part of p.parts.values()) t = t.plus(part.amount.value());
  return t;
}

/** The lines the pending day would produce; amounts rounded once here. */
export function linesOf(p: PendingDay): LedgerLine[] {
  const date = formatDay(p.day);
  const out: LedgerLine[] = [];
  for (const part of p.parts.values()) {
    const amount = roundCents(part.amount.value());
    if (amount.isZero()) continue;
    out.push({
      id: lineId(date, part.resource, part.type),
      date,
      resource: part.resource,
      type: part.type,
      quantity: formatQuantity(part.quantity.value().abs()),
      amount: formatAmount(amount),
    });
  }
  return out;
}

export function totalOf(lines: readonly { amount: string }[]): string {
  let t = ZERO;
  for (const l of lines) t = t.plus(new Dec(l.amount));
  return formatAmount(t);
}
