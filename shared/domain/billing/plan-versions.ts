/**
 * A template's plan over time: the prices it started with and every price change with the day it
 * takes effect. Accounts replay the changes they have not seen yet, so a change reaches every
 * subscriber exactly as billing-rules.md says (free/usage at once, recurrent from the next period),
 * without touching each account when the reseller edits the plan.
 */
import { ValidationError } from '../errors';
import { priceTableOf, type Plan, type PriceTable } from './plan';
import type { PriceChange } from './engine';

export interface PlanPriceChange {
  date: string;
  prices: Record<string, PriceChange>;
}

export interface PlanVersions {
  /** The plan's settings as last saved (prices = the latest, possibly still scheduled). */
  plan: Plan;
  /** The price table at creation; changes replay on top of it. */
  basePrices: PriceTable;
  /** In date order; at most one entry per date. */
  priceChanges: PlanPriceChange[];
}

const PRICE_KEYS = ['free', 'setup', 'recurrent', 'usage'] as const;

export function newPlanVersions(plan: Plan): PlanVersions {
  return { plan, basePrices: priceTableOf(plan), priceChanges: [] };
}

/** The price table in force on `day` (changes dated on or before it applied). */
export function pricesAsOf(v: PlanVersions, day: string): PriceTable {
  const table = structuredClone(v.basePrices);
  // Resources added to the plan after creation are sold at their current prices.
  for (const [id, p] of Object.entries(priceTableOf(v.plan))) if (!table[id]) table[id] = structuredClone(p);
  for (const change of v.priceChanges) {
    if (change.date > day) break;
    for (const [id, c] of Object.entries(change.prices)) {
      const p = table[id];
      if (!p) continue;
      for (const k of PRICE_KEYS) if (c[k] !== undefined) p[k] = c[k] as string;
      if (c.recurrent !== undefined) delete p.periodPrices;
    }
  }
  return table;
}

/**
 * Saves a new version of the plan. Settings (trial, credit limit, periods, included, max, ...) apply
 * to new subscribers at once; changed free/setup/recurrent/usage prices of resources already in the
 * plan become a price change effective on `effectiveFrom`, which must be after `today` so that no
 * account has already run that day.
 */
export function revisePlan(v: PlanVersions, next: Plan, today: string, effectiveFrom: string): PlanVersions {
  if (effectiveFrom <= today) throw ValidationError.field('effectiveFrom', `must be after today (${today}): price changes start at a day boundary no account has passed`);
  const latest = pricesAsOf({ ...v, priceChanges: v.priceChanges }, '9999-12-31');
  const diff: Record<string, PriceChange> = {};
  for (const [id, r] of Object.entries(next.resources)) {
    const old = latest[id];
    if (!old || !r.included) continue;
    const c: PriceChange = {};
    for (const k of PRICE_KEYS) if (r[k] !== old[k]) c[k] = r[k];
    if (Object.keys(c).length) diff[id] = c;
  }
  const changes = v.priceChanges.filter((c) => c.date !== effectiveFrom);
  const sameDay = v.priceChanges.find((c) => c.date === effectiveFrom);
  if (sameDay || Object.keys(diff).length) {
    const merged: Record<string, PriceChange> = structuredClone(sameDay?.prices ?? {});
    for (const [id, c] of Object.entries(diff)) merged[id] = { ...(merged[id] ?? {}), ...c };
    if (changes.some((c) => c.date > effectiveFrom)) {
      throw ValidationError.field('effectiveFrom', 'a later price change is already scheduled; change it or use its date');
    }
    changes.push({ date: effectiveFrom, prices: merged });
  }
  // Prices of resources new to the plan are part of the base from now on.
  const basePrices = structuredClone(v.basePrices);
  for (const [id, p] of Object.entries(priceTableOf(next))) if (!basePrices[id]) basePrices[id] = structuredClone(p);
  return { plan: next, basePrices, priceChanges: changes };
}
