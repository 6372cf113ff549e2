import { formatDay } from '../../domain/billing/dates';
import { stateFromJSON } from '../../domain/billing/engine';
import { advanceTo } from './account-store';
import type { BillingDeps } from './billing-deps';

export interface BillingDayResult {
  day: string;
  advanced: number;
  upToDate: number;
  failed: { account: string; error: string }[];
}

/**
 * The daily billing run: every account is brought to `day`, which closes usage windows and periods,
 * opens new periods and writes the finished days' lines. Accounts are listed by key queries on the
 * shard index; each account is its own transaction, so one failure does not stop the rest, and a
 * re-run of the same day finds every account already there and charges nothing.
 */
export async function runBillingDay(deps: BillingDeps, day: string): Promise<BillingDayResult> {
  const out: BillingDayResult = { day, advanced: 0, upToDate: 0, failed: [] };
  for (let shard = 0; shard < deps.billing.shards; shard++) {
    let cursor: string | undefined;
    do {
      const page = await deps.billing.listAccounts(shard, { limit: 100, cursor });
      for (const account of page.items) {
        const state = stateFromJSON(account.state);
        if (formatDay(state.day) > day || (formatDay(state.day) === day && state.phase >= 3)) {
          out.upToDate++;
          continue;
        }
        try {
          await advanceTo(deps, account.resellerId, account.username, day);
          out.advanced++;
        } catch (e) {
          out.failed.push({ account: `${account.resellerId}/${account.username}`, error: (e as Error).message });
        }
      }
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
  }
  return out;
}
