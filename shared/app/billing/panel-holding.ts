/**
 * The control panel's limits and the billing account hold the same quantities where the plan's
 * resources map onto panel limits (RESOURCE_CATALOG: traffic ↔ trafficGb, disk_quota ↔ storageMb,
 * mailbox ↔ pop3Boxes, mysql_db ↔ mysqlDatabases). A change of those limits is a purchase or a
 * release: it is priced here and written in the same transaction as the user, so a purchase the
 * credit limit does not cover refuses the whole change (402) and nothing is written.
 */
import { ValidationError } from '../../domain/errors';
import { applyAccountEvent } from '../../domain/billing/account-cycle';
import { RESOURCE_CATALOG } from '../../domain/billing/plan';
import type { ResourceName } from '../../domain/catalog';
import type { PriceTable } from '../../domain/billing/plan';
import type { BillingWrite } from '../../ports/billing-repository';
import { advanceTo, prepareSave } from './account-store';
import { today, type BillingDeps } from './billing-deps';

type PanelLimits = Partial<Record<ResourceName, number>>;

/** Plan resource → panel limit name, for the resources that are the same thing. */
export const PANEL_LIMIT_OF: Record<string, ResourceName> = Object.fromEntries(
  Object.entries(RESOURCE_CATALOG)
    .filter(([, c]) => c.templateLimit !== null)
    .map(([id, c]) => [id, c.templateLimit as ResourceName]),
);

/** The panel limit that decides a plan resource's holding, or undefined (unlimited is not billed per unit). */
function panelValue(limits: PanelLimits, resource: string): string | undefined {
  const name = PANEL_LIMIT_OF[resource];
  if (!name) return undefined;
  const v = limits[name];
  return v === undefined || v < 0 ? undefined : String(v);
}

/** What a new account holds of the mapped resources: the user's panel limits. */
export function holdFromPanel(limits: PanelLimits, prices: PriceTable): Record<string, string> {
  const hold: Record<string, string> = {};
  for (const id of Object.keys(prices)) {
    const v = panelValue(limits, id);
    if (v !== undefined) hold[id] = v;
  }
  return hold;
}

/**
 * The billing write for a change of the user's limits, or undefined when nothing billed changes
 * (no account, or no mapped limit changed). The account is first brought to today.
 */
export async function holdingChangeForLimits(
  deps: BillingDeps,
  resellerId: string,
  username: string,
  before: PanelLimits,
  after: PanelLimits,
): Promise<BillingWrite | undefined> {
  const changed = Object.keys(PANEL_LIMIT_OF).filter((id) => panelValue(before, id) !== panelValue(after, id) && panelValue(after, id) !== undefined);
  if (!changed.length) return undefined;
  if (!(await deps.billing.getAccount(resellerId, username))) return undefined;
  const day = today(deps);
  const loaded = await advanceTo(deps, resellerId, username, day);
  const hold: Record<string, string> = {};
  for (const id of changed) if (loaded.state.prices[id]) hold[id] = panelValue(after, id) as string;
  if (!Object.keys(hold).length) return undefined;
  try {
    const result = applyAccountEvent(loaded.state, loaded.plan, loaded.account.appliedChanges, { date: day, type: 'hold', hold });
    return prepareSave(deps, loaded, result);
  } catch (e) {
    // The engine names plan resources; the caller sent panel limits.
    if (e instanceof ValidationError && e.fields) {
      throw new ValidationError(
        e.message,
        Object.fromEntries(Object.entries(e.fields).map(([k, v]) => [k.replace(/^hold\.(\w+)$/, (_m, id: string) => `limits.${PANEL_LIMIT_OF[id] ?? id}`), v])),
      );
    }
    throw e;
  }
}

/** Deleting a user closes its billing account that day (unused recurrent refunded, money-back applies). */
export async function closeForDeletedUser(deps: BillingDeps, resellerId: string, username: string): Promise<BillingWrite | undefined> {
  if (!(await deps.billing.getAccount(resellerId, username))) return undefined;
  const day = today(deps);
  const loaded = await advanceTo(deps, resellerId, username, day);
  if (loaded.state.status === 'closed') return undefined;
  const result = applyAccountEvent(loaded.state, loaded.plan, loaded.account.appliedChanges, { date: day, type: 'close' });
  return prepareSave(deps, loaded, result);
}
