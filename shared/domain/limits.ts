import * as z from 'zod';
import {
  NEVER_HARD_LIMITED,
  RESELLER_LIMIT_NAMES,
  RESOURCE_NAMES,
  UNLIMITED,
  type ResellerLimitName,
} from './catalog';
import type { FieldErrors } from './errors';

/** A whole number, -1 meaning unlimited; `missing` is the message when it is left out where required. */
const limitValue = (missing = 'must be a whole number') =>
  z
    .number({ error: (issue) => (issue.input === undefined ? missing : 'must be a whole number') })
    .int({ error: 'must be a whole number' })
    .min(UNLIMITED, { error: 'must be -1 (unlimited), 0 or a positive whole number' })
    .max(2_000_000_000, { error: 'is too large' });
export const limitValueSchema = limitValue();

function limitsObject<const K extends readonly string[]>(names: K) {
  const shape = Object.fromEntries(names.map((n) => [n, limitValueSchema.optional()])) as {
    [P in K[number]]: z.ZodOptional<typeof limitValueSchema>;
  };
  return z.strictObject(shape);
}

/** Limits of a hosted user or template: the 12 resources. */
export const resourceLimitsSchema = limitsObject(RESOURCE_NAMES);
/** All 12 limits, each required: a replacement (PUT /templates/{id}) must not turn a limit it leaves out into 0. */
export const completeResourceLimitsSchema = z.strictObject(
  Object.fromEntries(RESOURCE_NAMES.map((n) => [n, limitValue('is required: a PUT replaces every limit (0 for none, -1 for unlimited)')])) as {
    [P in (typeof RESOURCE_NAMES)[number]]: ReturnType<typeof limitValue>;
  },
);
/** Limits an operator gives a reseller: the 12 resources plus `users`. */
export const resellerLimitsSchema = limitsObject(RESELLER_LIMIT_NAMES);

export type Limits = Partial<Record<ResellerLimitName, number>>;

export const isUnlimited = (v: number | undefined): boolean => v === undefined || v === UNLIMITED;

/** Is `used` over `max`? Unlimited is never exceeded. */
export const exceeds = (used: number, max: number | undefined): boolean =>
  !isUnlimited(max) && used > (max as number);

/**
 * Rules between a reseller's maximum and hard limit: traffic takes no hard limit (the seed),
 * and a hard limit below the maximum would make the maximum meaningless.
 */
export function checkHardLimits(limits: Limits, hardLimits: Limits, prefix = ''): FieldErrors {
  const errors: FieldErrors = {};
  for (const name of RESELLER_LIMIT_NAMES) {
    const hard = hardLimits[name];
    if (hard === undefined || hard === UNLIMITED) continue;
    if (NEVER_HARD_LIMITED.includes(name)) {
      errors[`${prefix}hardLimits.${name}`] = 'traffic can never be hard-limited; use -1 or leave it out';
      continue;
    }
    const max = limits[name];
    if (max !== undefined && max !== UNLIMITED && hard < max) {
      errors[`${prefix}hardLimits.${name}`] = `must not be below limits.${name} (${max})`;
    }
  }
  return errors;
}
