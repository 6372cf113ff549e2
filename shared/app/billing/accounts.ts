import * as z from 'zod';
import { ConflictError, ErrorCode, NotFoundError, ValidationError } from '../../domain/errors';
import { applyAccountEvent, nextDueDay, openDayLines } from '../../domain/billing/account-cycle';
import { formatDay } from '../../domain/billing/dates';
import { balance, openAccount, previewNextPeriod, stateToJSON, type AccountEvent, type AccountState } from '../../domain/billing/engine';
import { formatAmount, parseDecimal, MONEY_RULES, QUANTITY_RULES } from '../../domain/billing/money';
import { defaultHolding } from '../../domain/billing/plan';
import { pricesAsOf } from '../../domain/billing/plan-versions';
import { ReferenceTakenError, StaleAccountError, type StoredLine } from '../../ports/billing-repository';
import type { Principal } from '../../ports/identity';
import type { IdempotencyClaim } from '../../ports/idempotency';
import type { PageRequest } from '../../ports/page';
import { resellerOf } from '../actor';
import { advanceTo, load, mutate } from './account-store';
import { holdFromPanel, PANEL_LIMIT_OF } from './panel-holding';
import { today, type BillingDeps } from './billing-deps';

const decimalInput = z.union([z.string(), z.number()]);

export const openAccountSchema = z.strictObject({
  templateId: z.string().min(1).max(64),
  periodMonths: z.number().int().min(1).max(120).default(1),
  /** Quantities beyond the plan's defaults, e.g. { traffic: "12" }. */
  hold: z.record(z.string(), decimalInput).optional(),
  /** A payment recorded before the first charges (prepaid plans). */
  initialPayment: decimalInput.optional(),
});

const referenceSchema = z.string({ error: 'is required: your own id of this entry (invoice, transfer, ticket)' }).regex(/^[A-Za-z0-9._-]{1,64}$/, {
  error: 'must be 1-64 letters, digits, . _ -',
});

export const paymentSchema = z.strictObject({
  /** At most 2 decimals and at most 1,000,000,000 (MONEY_RULES). */
  amount: decimalInput,
  /**
   * The reseller's own reference (invoice or transfer id), unique per account for its life: the same
   * reference again is the same payment (answered with its first line); with another amount, 409.
   * Optional: a payment without one is never recognised as a repeat.
   */
  reference: referenceSchema.optional(),
});

export const adjustmentSchema = z.strictObject({
  /** Positive charges the user, negative credits them; at most 2 decimals, at most 1,000,000,000 either way. */
  amount: z.string().regex(/^-?\d+([.,]\d+)?$/, { error: 'must be a decimal such as "-5.00"' }),
  reason: z.string().min(3).max(200),
  /** Required: an adjustment is a manual entry, and a retried one must not charge or credit twice. */
  reference: referenceSchema,
});

export const holdSchema = z.strictObject({ hold: z.record(z.string(), decimalInput) });

export const actionSchema = z.discriminatedUnion('action', [
  z.strictObject({ action: z.literal('suspend') }),
  z.strictObject({ action: z.literal('resume') }),
  z.strictObject({ action: z.literal('convert') }),
  z.strictObject({ action: z.literal('close') }),
  z.strictObject({ action: z.literal('changePeriod'), months: z.number().int().min(1).max(120) }),
  z.strictObject({ action: z.literal('changePlan'), templateId: z.string().min(1).max(64), months: z.number().int().min(1).max(120).optional() }),
]);

function view(state: AccountState, templateId: string) {
  return {
    templateId,
    status: state.status,
    periodMonths: state.periodMonths,
    period: state.period ? { start: formatDay(state.period.start), end: formatDay(state.period.end) } : null,
    trialEnd: state.trialEnd !== null ? formatDay(state.trialEnd) : null,
    balance: formatAmount(balance(state)),
    creditLimit: state.creditLimit ? state.creditLimit.toFixed(2) : null,
    holding: Object.fromEntries(Object.entries(state.resources).map(([id, r]) => [id, r.held.toFixed()])),
    processedThrough: formatDay(state.day),
  };
}

/** Subscribes a hosted user to a template's plan from today. */
export async function openBillingAccount(deps: BillingDeps, actor: Principal, username: string, input: z.infer<typeof openAccountSchema>) {
  const resellerId = resellerOf(actor);
  const limits = await deps.billing.userLimits(resellerId, username);
  if (!limits) throw new NotFoundError('user not found');
  const stored = await deps.billing.getPlan(resellerId, input.templateId);
  if (!stored) throw ValidationError.field('templateId', 'has no plan');
  const plan = stored.versions.plan;
  if (!plan.billingPeriods.includes(input.periodMonths)) {
    throw ValidationError.field('periodMonths', `must be one of the plan's periods: ${plan.billingPeriods.join(', ')}`);
  }
  const day = today(deps);
  const prices = pricesAsOf(stored.versions, day);
  // The plan's defaults, then what the user's panel limits already give it, then what is asked.
  const hold: Record<string, string> = { ...defaultHolding(plan), ...holdFromPanel(limits, prices) };
  for (const [id, q] of Object.entries(input.hold ?? {})) {
    if (!prices[id]) throw ValidationError.field(`hold.${id}`, 'is not a resource of the plan');
    if (PANEL_LIMIT_OF[id]) throw ValidationError.field(`hold.${id}`, `is the user's limit ${PANEL_LIMIT_OF[id]}: set it on the user`);
    hold[id] = parseDecimal(`hold.${id}`, q, QUANTITY_RULES).toFixed();
    const max = prices[id]!.max;
    if (max !== undefined && Number(hold[id]) > Number(max)) throw ValidationError.field(`hold.${id}`, `is above the plan's max ${max}`);
  }
  const payments = input.initialPayment !== undefined ? parseDecimal('initialPayment', input.initialPayment, MONEY_RULES).toFixed() : '0';
  const state = openAccount({
    start: day,
    prices,
    hold,
    periodMonths: input.periodMonths,
    creditLimit: plan.creditLimit,
    trialDays: plan.trialDays || undefined,
    moneyBackDays: plan.moneyBackDays || undefined,
    payments,
  });
  const now = deps.clock.now().toISOString();
  const appliedChanges = stored.versions.priceChanges.filter((c) => c.date <= day).length;
  try {
    await deps.billing.write({
      account: {
        resellerId,
        username,
        templateId: input.templateId,
        state: stateToJSON(state),
        appliedChanges,
        version: 1,
        usageThrough: null,
        dueDay: nextDueDay(state, stored.versions, appliedChanges),
        openedAt: now,
        updatedAt: now,
      },
      due: nextDueDay(state, stored.versions, appliedChanges) ?? undefined,
      expectedVersion: null,
      lines: payments !== '0' ? [paymentLine(day, payments, 'initial')] : [],
      references: payments !== '0' ? [{ kind: 'payment', reference: 'initial', line: paymentLine(day, payments, 'initial') }] : [],
      messages: [{ id: deps.newId(), at: now, type: 'notice', text: `billing account opened for ${username} on plan ${plan.name}`, subject: { user: username } }],
    });
  } catch (e) {
    if (e instanceof StaleAccountError || e instanceof ReferenceTakenError) {
      throw new ConflictError(`${username} already has a billing account`, ErrorCode.ALREADY_SUBSCRIBED);
    }
    throw e;
  }
  // The opening charges (setup and first recurrent) run as the account is brought to today.
  const loaded = await advanceTo(deps, resellerId, username, day);
  return view(loaded.state, loaded.account.templateId);
}

function paymentLine(date: string, amount: string, reference: string): StoredLine {
  return {
    id: `${date}#~payment#${reference}`,
    date,
    resource: '-',
    type: 'payment',
    quantity: '1',
    amount: formatAmount(parseDecimal('amount', amount).negated()),
    reference,
  };
}

/**
 * A money entry claimed by its reference for the life of the account: the first time it is written
 * with its line; again with the same amount, the first line is the answer and nothing is written;
 * with another amount, 409 naming `reference`.
 */
async function once<T>(kind: 'payment' | 'adjustment', amount: string, write: () => Promise<T>, replay: (first: StoredLine) => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (e) {
    if (!(e instanceof ReferenceTakenError)) throw e;
    if (e.first.amount !== amount) {
      // A payment's line is negative (a credit); the reseller entered the positive amount.
      const shown = kind === 'payment' ? formatAmount(parseDecimal('amount', e.first.amount.replace(/^-/, ''))) : e.first.amount;
      throw new ConflictError(`reference ${e.first.reference} was used for a ${kind} of ${shown}`, ErrorCode.REFERENCE_REUSED, {
        reference: `was used on ${e.first.date} for a ${kind} of ${shown}`,
      });
    }
    return replay(e.first);
  }
}

export async function getBillingAccount(deps: BillingDeps, actor: Principal, username: string) {
  const resellerId = resellerOf(actor);
  const loaded = await load(deps, resellerId, username);
  return view(loaded.state, loaded.account.templateId);
}

/** The ledger: finished lines from the table, then (on the last page) the open day's lines marked pending. */
export async function listLedger(deps: BillingDeps, actor: Principal, username: string, page: PageRequest) {
  const resellerId = resellerOf(actor);
  const loaded = await load(deps, resellerId, username);
  const out = await deps.billing.listLedger(resellerId, username, page);
  const lines: (StoredLine & { pending?: boolean })[] = out.items;
  if (!out.nextCursor) lines.push(...openDayLines(loaded.state).map((l) => ({ ...l, pending: true })));
  return { lines, nextCursor: out.nextCursor };
}

/** A claimed Idempotency-Key to complete in the money entry's own transaction, with the status the route answers. */
export type CompleteWith = { claim: IdempotencyClaim; status: number };

const completion = (deps: BillingDeps, c: CompleteWith | undefined, body: unknown) =>
  c ? { completion: { claim: c.claim, status: c.status, body, nowMs: deps.clock.now().getTime() } } : {};

export async function recordPayment(deps: BillingDeps, actor: Principal, username: string, input: z.infer<typeof paymentSchema>, complete?: CompleteWith) {
  const resellerId = resellerOf(actor);
  const amount = parseDecimal('amount', input.amount, MONEY_RULES);
  if (amount.isZero()) throw ValidationError.field('amount', 'must be more than 0');
  const reference = input.reference ?? deps.newId();
  const day = today(deps);
  const line = paymentLine(day, amount.toFixed(), reference);
  return once(
    'payment',
    line.amount,
    () =>
      mutate(deps, resellerId, username, (loaded, day) => {
        const result = applyAccountEvent(loaded.state, loaded.plan, loaded.account.appliedChanges, { date: day, type: 'pay', amount: amount.toFixed() });
        const l = { ...line, id: `${day}#~payment#${reference}`, date: day };
        const value = { ...view(result.state, loaded.account.templateId), line: l };
        return {
          result,
          value,
          extra: { lines: [l], references: [{ kind: 'payment' as const, reference, line: l }], ...completion(deps, complete, value) },
        };
      }),
    async (first) => ({ ...(await getBillingAccount(deps, actor, username)), line: first }),
  );
}

export async function recordAdjustment(deps: BillingDeps, actor: Principal, username: string, input: z.infer<typeof adjustmentSchema>, complete?: CompleteWith) {
  const resellerId = resellerOf(actor);
  const amount = parseDecimal('amount', input.amount.replace(/^-/, ''), MONEY_RULES).times(input.amount.startsWith('-') ? -1 : 1);
  if (amount.isZero()) throw ValidationError.field('amount', 'must not be 0');
  const reference = input.reference;
  return once(
    'adjustment',
    formatAmount(amount),
    () =>
      mutate(deps, resellerId, username, (loaded, day) => {
        // A charge is a negative payment for the balance; the ledger shows it as its own line.
        const result = applyAccountEvent(loaded.state, loaded.plan, loaded.account.appliedChanges, { date: day, type: 'pay', amount: amount.negated().toFixed() });
        const line: StoredLine = {
          id: `${day}#~adjustment#${reference}`,
          date: day,
          resource: '-',
          type: 'adjustment',
          quantity: '1',
          amount: formatAmount(amount),
          note: input.reason,
          reference,
        };
        const value = { ...view(result.state, loaded.account.templateId), line };
        return {
          result,
          value,
          extra: { lines: [line], references: [{ kind: 'adjustment' as const, reference, line }], ...completion(deps, complete, value) },
        };
      }),
    async (first) => ({ ...(await getBillingAccount(deps, actor, username)), line: first }),
  );
}

/** A purchase on demand: 402 when the credit limit does not cover it, and nothing changes. */
export async function changeHolding(deps: BillingDeps, actor: Principal, username: string, input: z.infer<typeof holdSchema>) {
  const resellerId = resellerOf(actor);
  const hold: Record<string, string> = {};
  for (const [id, q] of Object.entries(input.hold)) {
    // One source of truth: quantities that are panel limits change with the user (PATCH /users/{username}).
    if (PANEL_LIMIT_OF[id]) throw ValidationError.field(`hold.${id}`, `is the user's limit ${PANEL_LIMIT_OF[id]}: change it with PATCH /users/${username}`);
    hold[id] = parseDecimal(`hold.${id}`, q, QUANTITY_RULES).toFixed();
  }
  return mutate(deps, resellerId, username, (loaded, day) => {
    const result = applyAccountEvent(loaded.state, loaded.plan, loaded.account.appliedChanges, { date: day, type: 'hold', hold });
    return { result, value: view(result.state, loaded.account.templateId) };
  });
}

export async function accountAction(deps: BillingDeps, actor: Principal, username: string, input: z.infer<typeof actionSchema>) {
  const resellerId = resellerOf(actor);
  let newPlan: Awaited<ReturnType<BillingDeps['billing']['getPlan']>> | undefined;
  if (input.action === 'changePlan') {
    newPlan = await deps.billing.getPlan(resellerId, input.templateId);
    if (!newPlan) throw ValidationError.field('templateId', 'has no plan');
    if (input.months !== undefined && !newPlan.versions.plan.billingPeriods.includes(input.months)) {
      throw ValidationError.field('months', `must be one of the plan's periods: ${newPlan.versions.plan.billingPeriods.join(', ')}`);
    }
  }
  return mutate(deps, resellerId, username, (loaded, day) => {
    if (input.action === 'changePeriod' && !loaded.plan.plan.billingPeriods.includes(input.months)) {
      throw ValidationError.field('months', `must be one of the plan's periods: ${loaded.plan.plan.billingPeriods.join(', ')}`);
    }
    let event: AccountEvent;
    let plan = loaded.plan;
    let applied = loaded.account.appliedChanges;
    switch (input.action) {
      case 'changePlan':
        event = { date: day, type: 'changePlan', prices: pricesAsOf(newPlan!.versions, day), months: input.months };
        break;
      case 'changePeriod':
        event = { date: day, type: 'changePeriod', months: input.months };
        break;
      default:
        event = { date: day, type: input.action };
    }
    const result = applyAccountEvent(loaded.state, plan, applied, event);
    if (input.action === 'changePlan') {
      plan = newPlan!.versions;
      result.appliedChanges = plan.priceChanges.filter((c) => c.date <= day).length;
    }
    return {
      result,
      value: view(result.state, input.action === 'changePlan' ? input.templateId : loaded.account.templateId),
      extra: input.action === 'changePlan' ? { templateId: input.templateId } : undefined,
    };
  });
}

/** The charges of the next period start, with the prices that will be in force that day. */
export async function previewBilling(deps: BillingDeps, actor: Principal, username: string) {
  const resellerId = resellerOf(actor);
  const loaded = await load(deps, resellerId, username);
  const next = loaded.state.period ? formatDay(loaded.state.period.end) : today(deps);
  const all = pricesAsOf(loaded.plan, next);
  const prices = Object.fromEntries(Object.entries(all).filter(([id]) => loaded.state.prices[id]));
  return previewNextPeriod(loaded.state, prices);
}
