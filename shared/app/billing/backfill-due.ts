/**
 * Accounts written before due items existed (no `dueDay` on the item) get their next due day and
 * its due item, one transaction each at the version read; accounts that have one are left alone.
 * A walk over every account (the listing index), for an upgrade only: the embedded runtime runs it
 * on start; on AWS run it once after deploying (scripts/billing-backfill-due.ts).
 */
import { nextDueDay } from '../../domain/billing/account-cycle';
import { stateFromJSON } from '../../domain/billing/engine';
import { StaleAccountError } from '../../ports/billing-repository';
import type { BillingDeps } from './billing-deps';

export async function backfillDueItems(deps: BillingDeps): Promise<{ written: number; seen: number }> {
  const out = { written: 0, seen: 0 };
  for (let shard = 0; shard < deps.billing.shards; shard++) {
    let cursor: string | undefined;
    do {
      const page = await deps.billing.listAccounts(shard, { limit: 100, cursor });
      for (const account of page.items) {
        out.seen++;
        if (account.dueDay !== undefined) continue;
        const plan = await deps.billing.getPlan(account.resellerId, account.templateId);
        if (!plan) continue;
        const due = nextDueDay(stateFromJSON(account.state), plan.versions, account.appliedChanges);
        try {
          await deps.billing.write({
            account: { ...account, dueDay: due, version: account.version + 1 },
            expectedVersion: account.version,
            lines: [],
            messages: [],
            ...(due ? { due } : {}),
          });
          out.written++;
        } catch (e) {
          // Changed meanwhile: that write set its due day already.
          if (!(e instanceof StaleAccountError)) throw e;
        }
      }
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
  }
  return out;
}
