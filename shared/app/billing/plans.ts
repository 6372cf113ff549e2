import { NotFoundError, ValidationError } from '../../domain/errors';
import { parsePlan } from '../../domain/billing/plan';
import { newPlanVersions, pricesAsOf, revisePlan } from '../../domain/billing/plan-versions';
import { parseDay, formatDay } from '../../domain/billing/dates';
import type { Principal } from '../../ports/identity';
import { resellerOf } from '../actor';
import { today, type BillingDeps } from './billing-deps';

const tomorrow = (day: string) => formatDay(parseDay('today', day) + 1);

/**
 * The plan edit wizard as one request. A first save creates the plan; a later save keeps settings
 * for new subscribers at once and turns changed prices into a price change effective from
 * `effectiveFrom` (default: tomorrow), which reaches existing subscribers as billing-rules.md says.
 */
export async function putPlan(
  deps: BillingDeps,
  actor: Principal,
  templateId: string,
  input: { plan: unknown; effectiveFrom?: string },
) {
  const resellerId = resellerOf(actor);
  if (!(await deps.billing.templateExists(resellerId, templateId))) throw new NotFoundError('template not found');
  let plan;
  try {
    plan = parsePlan(input.plan);
  } catch (e) {
    if (e instanceof ValidationError && e.fields) {
      throw new ValidationError(e.message, Object.fromEntries(Object.entries(e.fields).map(([k, v]) => [`plan.${k}`, v])));
    }
    throw e;
  }
  const day = today(deps);
  const current = await deps.billing.getPlan(resellerId, templateId);
  const effectiveFrom = input.effectiveFrom ?? tomorrow(day);
  if (input.effectiveFrom !== undefined) parseDay('effectiveFrom', input.effectiveFrom);
  const versions = current ? revisePlan(current.versions, plan, day, effectiveFrom) : newPlanVersions(plan);
  const stored = { templateId, versions, version: (current?.version ?? 0) + 1, updatedAt: deps.clock.now().toISOString() };
  await deps.billing.putPlan(resellerId, stored, current ? current.version : null);
  return planView(stored, day);
}

export async function getPlan(deps: BillingDeps, actor: Principal, templateId: string) {
  const resellerId = resellerOf(actor);
  const stored = await deps.billing.getPlan(resellerId, templateId);
  if (!stored) throw new NotFoundError('this template has no plan');
  return planView(stored, today(deps));
}

function planView(stored: { templateId: string; versions: ReturnType<typeof newPlanVersions>; version: number; updatedAt: string }, day: string) {
  return {
    templateId: stored.templateId,
    plan: stored.versions.plan,
    pricesToday: pricesAsOf(stored.versions, day),
    priceChanges: stored.versions.priceChanges,
    version: stored.version,
    updatedAt: stored.updatedAt,
  };
}
