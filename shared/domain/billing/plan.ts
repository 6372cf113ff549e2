/**
 * The plan as the seed's plan edit wizard describes it: which resources are included and active by
 * default, their free units and prices, the max a user may raise them to, trial days, credit limit,
 * money-back days, the default IP type and the billing periods offered.
 *
 * Prices are kept as canonical decimal strings ("2.5") so a plan is plain JSON (storable, diffable);
 * parse user input with `parsePlan` (or `PlanSchema`), which accepts "," or "." as the separator.
 */
import * as z from 'zod';
import type { ResourceName } from '../catalog';
import { ValidationError } from '../errors';
import { COUNT_RULES, Dec, PRICE_RULES, QUANTITY_RULES, parseDecimal } from './money';

export type ResourceKind = 'count' | 'flow' | 'level';

/**
 * The resources of the seed. `templateLimit` names the control-panel limit that is the same thing
 * (shared/domain/catalog.ts), or null where the panel has no such limit.
 */
export const RESOURCE_CATALOG = {
  traffic: { kind: 'flow', unit: 'GB', templateLimit: 'trafficGb' },
  disk_quota: { kind: 'level', unit: 'MB', templateLimit: 'storageMb' },
  mailbox: { kind: 'count', unit: 'mailbox', templateLimit: 'pop3Boxes' },
  mailbox_quota: { kind: 'level', unit: 'MB', templateLimit: null },
  mysql_db: { kind: 'count', unit: 'database', templateLimit: 'mysqlDatabases' },
  mysql_quota: { kind: 'level', unit: 'MB', templateLimit: null },
  pgsql_db: { kind: 'count', unit: 'database', templateLimit: null },
  pgsql_quota: { kind: 'level', unit: 'MB', templateLimit: null },
  dedicated_ip: { kind: 'count', unit: 'IP', templateLimit: null },
} as const satisfies Record<string, { kind: ResourceKind; unit: string; templateLimit: ResourceName | null }>;

export type CatalogResource = keyof typeof RESOURCE_CATALOG;

/** What the engine needs of one resource: kind and the prices in force. All decimals are strings. */
export interface ResourcePrices {
  kind: ResourceKind;
  free: string;
  setup: string;
  /** Per unit per month. */
  recurrent: string;
  /** Per unit over the allowance (flow: per GB used; level: per MB per month over the quota). */
  usage: string;
  /** Optional whole-period price per unit, by period length in months ("3": "8"); replaces recurrent × P. */
  periodPrices?: Record<string, string>;
  /** The most a user may hold; absent means no limit. */
  max?: string;
}

export interface PlanResource extends ResourcePrices {
  /** Created for every subscriber; an excluded resource cannot be held. */
  included: boolean;
  /** Up and running at signup (held at `free`); otherwise held at 0 until activated and paid for. */
  activeByDefault: boolean;
}

export type IpType = 'shared' | 'dedicated';

export interface Plan {
  name: string;
  resources: Record<string, PlanResource>;
  trialDays: number;
  /** How far below zero the balance may go; "0" means prepaid. */
  creditLimit: string;
  moneyBackDays: number;
  defaultIpType: IpType;
  /** Period lengths in months offered; always contains 1. */
  billingPeriods: number[];
}

/** The price table the engine runs on: resource id → prices. */
export type PriceTable = Record<string, ResourcePrices>;

export function priceTableOf(plan: Plan): PriceTable {
  const table: PriceTable = {};
  for (const [id, r] of Object.entries(plan.resources)) {
    if (!r.included) continue;
    const { included: _i, activeByDefault: _a, ...prices } = r;
    table[id] = prices;
  }
  return table;
}

/** What a new subscriber holds: free units of the active resources, nothing of the others. */
export function defaultHolding(plan: Plan): Record<string, string> {
  const hold: Record<string, string> = {};
  for (const [id, r] of Object.entries(plan.resources)) if (r.included) hold[id] = r.activeByDefault ? r.free : '0';
  return hold;
}

/** The whole-period recurrent price of one unit for a period of `months`. */
export function periodUnitPrice(prices: ResourcePrices, months: number): Dec {
  const whole = prices.periodPrices?.[String(months)];
  if (whole !== undefined) return new Dec(whole);
  return new Dec(prices.recurrent).times(months);
}

// ---- validation -------------------------------------------------------------------------------

const price = z.union([z.string(), z.number()]);
const ResourceSchema = z.strictObject({
  kind: z.enum(['count', 'flow', 'level']).optional(),
  included: z.boolean().default(true),
  activeByDefault: z.boolean().default(true),
  free: price.default('0'),
  setup: price.default('0'),
  recurrent: price.default('0'),
  usage: price.default('0'),
  periodPrices: z.record(z.string().regex(/^[1-9]\d*$/, 'a period length in months'), price).optional(),
  max: price.optional(),
});

/**
 * The shape of a plan as the HTTP layer receives it. Decimal fields are checked and canonicalised
 * by `parsePlan` (the zod schema checks shape; decimals need the field-named rules of money.ts).
 */
export const PlanSchema = z.strictObject({
  name: z.string().min(1),
  resources: z.record(z.string().regex(/^[a-z][a-z0-9_]*$/, 'a resource id such as "traffic"'), ResourceSchema),
  trialDays: z.number().int().min(0).default(0),
  creditLimit: price.default('0'),
  moneyBackDays: z.number().int().min(0).default(0),
  defaultIpType: z.enum(['shared', 'dedicated']).default('shared'),
  billingPeriods: z.array(z.number().int().min(1).max(120)).default([1]),
});

export type PlanInput = z.input<typeof PlanSchema>;

function canonical(field: string, v: unknown, rules = PRICE_RULES): string {
  return parseDecimal(field, v, rules).toFixed();
}

export function kindOf(id: string, declared: ResourceKind | undefined, field: string): ResourceKind {
  if (declared) return declared;
  const known = (RESOURCE_CATALOG as Record<string, { kind: ResourceKind }>)[id];
  if (!known) throw ValidationError.field(field, `is required for a resource not in the catalog (${Object.keys(RESOURCE_CATALOG).join(', ')})`);
  return known.kind;
}

/** Validates and canonicalises a plan; throws ValidationError naming the first bad field. */
export function parsePlan(input: unknown): Plan {
  const parsed = PlanSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.path.map(String).join('.') || 'plan';
    const keys = 'keys' in issue ? `: ${(issue.keys as string[]).join(', ')}` : '';
    throw ValidationError.field(field, issue.message + keys);
  }
  const p = parsed.data;
  const resources: Record<string, PlanResource> = {};
  for (const [id, r] of Object.entries(p.resources)) {
    const f = `resources.${id}`;
    const kind = kindOf(id, r.kind, `${f}.kind`);
    const res: PlanResource = {
      kind,
      included: r.included,
      activeByDefault: r.activeByDefault,
      free: canonical(`${f}.free`, r.free, kind === 'count' ? COUNT_RULES : PRICE_RULES),
      setup: canonical(`${f}.setup`, r.setup),
      recurrent: canonical(`${f}.recurrent`, r.recurrent),
      usage: canonical(`${f}.usage`, r.usage),
    };
    if (r.periodPrices) {
      res.periodPrices = {};
      for (const [months, v] of Object.entries(r.periodPrices)) res.periodPrices[months] = canonical(`${f}.periodPrices.${months}`, v);
    }
    if (r.max !== undefined) res.max = canonical(`${f}.max`, r.max, kind === 'count' ? COUNT_RULES : QUANTITY_RULES);
    resources[id] = res;
  }
  const periods = [...new Set([1, ...p.billingPeriods])].sort((a, b) => a - b);
  for (const [id, r] of Object.entries(resources)) {
    for (const months of Object.keys(r.periodPrices ?? {})) {
      if (!periods.includes(Number(months))) throw ValidationError.field(`resources.${id}.periodPrices.${months}`, 'is not one of the plan\'s billingPeriods');
    }
  }
  return {
    name: p.name,
    resources,
    trialDays: p.trialDays,
    creditLimit: canonical('creditLimit', p.creditLimit),
    moneyBackDays: p.moneyBackDays,
    defaultIpType: p.defaultIpType,
    billingPeriods: periods,
  };
}
