import { RESELLER_LIMIT_NAMES, RESOURCE_NAMES, UNLIMITED, type ResellerLimitName } from '../catalog';
import { HardLimitError } from '../errors';
import type { Limits } from '../limits';
import type { ResourceLimits } from './services';

/**
 * What a hosted user takes from the reseller's counters: one `users` slot and, per resource, its
 * finite allocation. `-1` allocations take nothing (they are only possible where the reseller's own
 * limit is unlimited, so there is nothing to count against).
 */
export function allocationOf(limits: ResourceLimits | undefined): Record<string, number> {
  if (!limits) return {};
  const out: Record<string, number> = { users: 1 };
  for (const n of RESOURCE_NAMES) {
    const v = limits[n];
    if (v > 0) out[n] = v;
  }
  return out;
}

/** Counter changes from `before` to `after` (either may be absent: create, delete); zero deltas dropped. */
export function allocationDelta(before: ResourceLimits | undefined, after: ResourceLimits | undefined): Record<string, number> {
  const a = allocationOf(before);
  const b = allocationOf(after);
  const out: Record<string, number> = {};
  for (const n of RESELLER_LIMIT_NAMES) {
    const d = (b[n] ?? 0) - (a[n] ?? 0);
    if (d !== 0) out[n] = d;
  }
  return out;
}

/** One condition on a counter: `used[name] <= threshold` and the hard limit still `hard` (-1 unlimited). */
export interface CounterGuard {
  name: ResellerLimitName;
  delta: number;
  hard: number;
  /** hard - delta, or undefined where the hard limit is unlimited (only "still unlimited" is checked). */
  threshold?: number;
}

export interface CounterChange {
  delta: Record<string, number>;
  guards: CounterGuard[];
}

/**
 * Turns a delta into the conditions of the transaction. DynamoDB conditions cannot add, so each
 * growing counter gets `used <= hard - delta`; every growing counter also checks that the hard
 * limit is still the one read (an operator change in between cannot be skipped). A delta that could
 * not fit even on an empty counter, or a counter already past the threshold as read, is refused
 * here with 409 HARD_LIMIT naming the field, before anything is written.
 */
export function counterChange(
  delta: Record<string, number>,
  reseller: { hardLimits: Limits; used: Record<string, number> },
): CounterChange {
  const guards: CounterGuard[] = [];
  const over: Record<string, string> = {};
  for (const [n, d] of Object.entries(delta)) {
    if (d <= 0) continue;
    const name = n as ResellerLimitName;
    const hard = reseller.hardLimits[name] ?? UNLIMITED;
    if (hard === UNLIMITED) {
      guards.push({ name, delta: d, hard });
      continue;
    }
    const threshold = hard - d;
    const used = reseller.used[name] ?? 0;
    if (threshold < 0 || used > threshold) over[hardLimitField(name)] = hardLimitReason(name, hard, used, d);
    guards.push({ name, delta: d, hard, threshold });
  }
  if (Object.keys(over).length) throw new HardLimitError(`this would go past a hard limit: ${Object.keys(over).join(', ')}`, over);
  return { delta, guards };
}

export const hardLimitField = (name: string) => (name === 'users' ? 'users' : `limits.${name}`);
export const hardLimitReason = (name: string, hard: number, used: number, delta: number) =>
  `would go past your hard limit for ${name} (${used} used + ${delta} > ${hard})`;

/**
 * After a cancelled transaction, measured against the profile as it is now: which counters the
 * change would cross (with the hard limits as they are now), and, if the operator moved a hard limit
 * meanwhile but the change still fits, the guards rebuilt for the new limits (the caller retries).
 */
export function brokenGuards(
  guards: CounterGuard[],
  profile: { hardLimits: Limits; used: Record<string, number> } | undefined,
): { over: Record<string, string>; limitsChanged: boolean; refreshed: CounterGuard[] } {
  const over: Record<string, string> = {};
  let limitsChanged = false;
  const refreshed: CounterGuard[] = [];
  for (const g of guards) {
    const hard = profile?.hardLimits[g.name] ?? UNLIMITED;
    if (hard !== g.hard) limitsChanged = true;
    const used = profile?.used[g.name] ?? 0;
    if (hard === UNLIMITED) {
      refreshed.push({ name: g.name, delta: g.delta, hard });
      continue;
    }
    const threshold = hard - g.delta;
    if (used > threshold) over[hardLimitField(g.name)] = hardLimitReason(g.name, hard, used, g.delta);
    refreshed.push({ name: g.name, delta: g.delta, hard, threshold });
  }
  return { over, limitsChanged, refreshed };
}

export interface Exceeded {
  field: string;
  used: number;
  max: number;
}

/** Soft maximums the change would go past (allowed; shown on /account and written to the log). */
export function exceededMaximums(
  delta: Record<string, number>,
  reseller: { limits: Limits; used: Record<string, number> },
): Exceeded[] {
  const out: Exceeded[] = [];
  for (const [name, d] of Object.entries(delta)) {
    if (d <= 0) continue;
    const max = reseller.limits[name as ResellerLimitName] ?? UNLIMITED;
    const used = (reseller.used[name] ?? 0) + d;
    if (max !== UNLIMITED && used > max) out.push({ field: name, used, max });
  }
  return out;
}

export const exceededText = (e: Exceeded[]) =>
  e.map((x) => `${x.field}: ${x.used} of maximum ${x.max}`).join('; ');
