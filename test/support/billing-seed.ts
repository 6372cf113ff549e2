/**
 * Many billing accounts at once, written through the billing repository (one transaction each, many
 * at a time) instead of one HTTP call per user: for the fault tests and the billing-run bench. Each
 * account is opened on its own day and brought forward (in memory, the engine's own functions) until
 * its next due day is `runDay`, with the lines of the days it finished; so the run of `runDay` has
 * every one of them to do: half finish their opening day, half renew after a month.
 */
import { advanceAccount, nextDueDay } from '../../shared/domain/billing/account-cycle';
import { addMonths, formatDay, parseDay } from '../../shared/domain/billing/dates';
import { openAccount, stateToJSON } from '../../shared/domain/billing/engine';
import { pricesAsOf, type PlanVersions } from '../../shared/domain/billing/plan-versions';
import type { BillingRepository, StoredLine } from '../../shared/ports/billing-repository';
import { randomInt } from 'node:crypto';

/**
 * A billing day no other test uses, for tests on the shared table (billing runs and due items are
 * per day): a random day (the 2nd to the 28th) of the years [from, to). A file whose checks read
 * the runs of the days before (billing-check) takes years no other file draws from.
 */
export const uniqueBillingDay = (from: number, to: number) =>
  `${randomInt(from, to)}-${String(randomInt(1, 13)).padStart(2, '0')}-${String(randomInt(2, 29)).padStart(2, '0')}`;

export const SEED_PLAN = {
  name: 'Fault plan',
  resources: {
    traffic: { free: '10', setup: '0', recurrent: '2', usage: '5' },
    mailbox: { free: '1', setup: '1', recurrent: '0.5' },
  },
  creditLimit: '100000',
};

export interface SeedOptions {
  resellerId: string;
  templateId: string;
  plan: PlanVersions;
  count: number;
  runDay: string;
  /** Usernames are `${prefix}${i}`. */
  prefix: string;
  concurrency?: number;
  at?: string;
}

/**
 * Writes the accounts; answers their usernames (index i is the same story in every seeding) and how
 * many are due on `runDay` (a few stories are due later).
 */
export async function seedDueAccounts(billing: BillingRepository, o: SeedOptions): Promise<{ names: string[]; due: number }> {
  const run = parseDay('runDay', o.runDay);
  const at = o.at ?? `${o.runDay}T00:00:00.000Z`;
  const names = Array.from({ length: o.count }, (_, i) => `${o.prefix}${i}`);
  let next = 0;
  let due = 0;
  const worker = async () => {
    for (let i = next++; i < o.count; i = next++) {
      const open = i % 2 === 0 ? run - 1 : addMonths(run, -1);
      const day = formatDay(open);
      let state = openAccount({
        start: day,
        prices: pricesAsOf(o.plan, day),
        hold: { traffic: String(10 + (i % 7)), mailbox: String(1 + (i % 3)) },
        periodMonths: 1,
        creditLimit: o.plan.plan.creditLimit,
      });
      let applied = o.plan.priceChanges.filter((c) => c.date <= day).length;
      const lines: StoredLine[] = [];
      let r = advanceAccount(state, o.plan, applied, day);
      for (;;) {
        lines.push(...r.lines);
        state = r.state;
        applied = r.appliedChanges;
        const due = nextDueDay(state, o.plan, applied);
        if (!due || due >= o.runDay) break;
        r = advanceAccount(state, o.plan, applied, due);
      }
      const dueDay = nextDueDay(state, o.plan, applied);
      if (dueDay === o.runDay) due++;
      await billing.write({
        account: {
          resellerId: o.resellerId,
          username: names[i]!,
          templateId: o.templateId,
          state: stateToJSON(state),
          appliedChanges: applied,
          version: 1,
          usageThrough: null,
          dueDay,
          openedAt: at,
          updatedAt: at,
        },
        expectedVersion: null,
        lines,
        messages: [],
        ...(dueDay ? { due: dueDay } : {}),
      });
    }
  };
  await Promise.all(Array.from({ length: o.concurrency ?? 16 }, worker));
  return { names, due };
}

/** Every account's ledger, as comparable strings, in username order of index. */
export async function ledgersOf(billing: BillingRepository, resellerId: string, names: readonly string[], concurrency = 16): Promise<string[][]> {
  const out: string[][] = new Array(names.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < names.length; i = next++) {
      const page = await billing.listLedger(resellerId, names[i]!, { limit: 500 });
      out[i] = page.items.map((l) => `${l.id} ${l.date} ${l.resource} ${l.type} ${l.quantity} ${l.amount}`);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return out;
}
