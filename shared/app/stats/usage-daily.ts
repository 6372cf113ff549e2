/**
 * The daily usage run (functions/jobs/usage-daily.ts): for one day, ask every hosting server for
 * its usage report, store each user's figures under the user's reseller, then feed them to the
 * users' billing accounts. Re-running a day stores the same values again and bills nothing twice.
 *
 * Billing feed: the day's web + FTP traffic becomes a `use` of the plan's `traffic` resource (GB)
 * and the disk use a `measure` of `disk_quota` (MB), dated the usage day, only for resources the
 * account's plan has. Each account records the last day fed (`usageThrough`) in the same
 * transaction as the account write, so a day is fed exactly once. See docs/billing.md "Usage feed".
 */
import { applyAccountEvent } from '../../domain/billing/account-cycle';
import { formatDay } from '../../domain/billing/dates';
import { PHASE, type Notice } from '../../domain/billing/engine';
import type { LedgerLine } from '../../domain/billing/ledger';
import {
  addDays,
  daysBetween,
  monthOf,
  usageEvents,
  type DayUsage,
} from '../../domain/stats/usage';
import { StaleAccountError } from '../../ports/billing-repository';
import type { Provisioner } from '../../ports/provisioner';
import type { ServerRegistry } from '../../ports/servers';
import type { UsageRepository, UserDayUsage } from '../../ports/usage';
import { advanceTo, save } from '../billing/account-store';
import type { BillingDeps } from '../billing/billing-deps';

export type UsageJobDeps = BillingDeps & {
  servers: Pick<ServerRegistry, 'list'>;
  provisioner: Pick<Provisioner, 'report'>;
  usage: UsageRepository;
};

/** Missing days older than this are not caught up when an account's feed has a gap. */
export const CATCH_UP_DAYS = 31;
const ATTEMPTS = 4;
/** Servers asked at once (an SSM report can take a while). */
const SERVER_CONCURRENCY = 4;

export type FeedOutcome = 'applied' | 'carried' | 'already' | 'no-account' | 'closed' | 'before-start';

export interface UsageDayResult {
  day: string;
  servers: { serverId: string; ok: boolean; users: number; error?: string }[];
  /** Users whose figures were stored. */
  stored: number;
  /** Reported usernames that no reseller owns (left alone). */
  unknownUsers: string[];
  billing: Record<FeedOutcome, number> & { failed: { account: string; error: string }[] };
}

/** The day a run scheduled on `scheduledDay` reports: the day before (complete logs). */
export const usageDayFor = (scheduledDay: string) => addDays(scheduledDay, -1);

async function mapLimit<T, R>(items: T[], limit: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]!);
      }
    }),
  );
  return out;
}

export async function runUsageDay(deps: UsageJobDeps, day: string): Promise<UsageDayResult> {
  const result: UsageDayResult = {
    day,
    servers: [],
    stored: 0,
    unknownUsers: [],
    billing: { applied: 0, carried: 0, already: 0, 'no-account': 0, closed: 0, 'before-start': 0, failed: [] },
  };
  const servers = await deps.servers.list();
  const reports = await mapLimit(servers, SERVER_CONCURRENCY, async (s) => ({ serverId: s.id, report: await deps.provisioner.report(s.id, day) }));

  const reported: { serverId: string; users: UserDayUsage[] }[] = [];
  for (const { serverId, report } of reports) {
    if (!report.ok) {
      result.servers.push({ serverId, ok: false, users: 0, error: report.error });
      continue;
    }
    result.servers.push({ serverId, ok: true, users: report.users.length });
    reported.push({ serverId, users: report.users });
  }

  const owners = await deps.usage.ownersOf(reported.flatMap((r) => r.users.map((u) => u.username)));
  // Per reseller and server: the users' figures. Per account: the day's figures
  // (a user reported by two servers on one day, e.g. while moving, counts on both).
  const perAccount = new Map<string, { resellerId: string; username: string; usage: DayUsage }>();
  for (const { serverId, users } of reported) {
    const byReseller = new Map<string, UserDayUsage[]>();
    for (const u of users) {
      const resellerId = owners.get(u.username);
      if (!resellerId) {
        result.unknownUsers.push(u.username);
        continue;
      }
      byReseller.set(resellerId, [...(byReseller.get(resellerId) ?? []), u]);
      const key = `${resellerId}/${u.username}`;
      const prev = perAccount.get(key)?.usage;
      perAccount.set(key, {
        resellerId,
        username: u.username,
        usage: prev
          ? { diskKb: prev.diskKb + u.diskKb, webBytes: prev.webBytes + u.webBytes, ftpBytes: prev.ftpBytes + u.ftpBytes }
          : { diskKb: u.diskKb, webBytes: u.webBytes, ftpBytes: u.ftpBytes },
      });
    }
    for (const [resellerId, list] of byReseller) {
      await deps.usage.putDay(resellerId, serverId, day, list);
      result.stored += list.length;
    }
  }

  for (const { resellerId, username, usage } of perAccount.values()) {
    try {
      const outcome = await feedAccount(deps, resellerId, username, day, usage);
      result.billing[outcome]++;
    } catch (e) {
      result.billing.failed.push({ account: `${resellerId}/${username}`, error: (e as Error).message });
    }
  }
  return result;
}

/**
 * Feeds one day's usage (and any stored days missed since `usageThrough`) to the user's billing
 * account, in one transaction with `usageThrough = day`. Usage of a day the account has already
 * processed past (a purchase this morning moved it on) is carried into its current day with a
 * notice rather than lost.
 */
export async function feedAccount(
  deps: UsageJobDeps,
  resellerId: string,
  username: string,
  day: string,
  usage: DayUsage,
): Promise<FeedOutcome> {
  for (let attempt = 0; ; attempt++) {
    const stored = await deps.billing.getAccount(resellerId, username);
    if (!stored) return 'no-account';
    if (stored.usageThrough !== null && stored.usageThrough >= day) return 'already';

    // Days to feed: the gap since the last day fed (from the stored figures), then this day.
    const gap = stored.usageThrough === null ? [] : daysBetween(stored.usageThrough, addDays(day, -1)).filter((d) => d >= addDays(day, -CATCH_UP_DAYS));
    const pending: { day: string; usage: DayUsage }[] = [];
    if (gap.length) {
      const months = [...new Set(gap.map(monthOf))];
      const found = await deps.usage.userMonths(resellerId, [username], months);
      for (const d of gap) {
        const figures = found.find((m) => m.month === monthOf(d))?.days[d];
        if (figures) pending.push({ day: d, usage: figures });
      }
    }
    pending.push({ day, usage });

    // Closes and openings up to the first day to feed run (in steps) before the usage applies.
    const loaded = await advanceTo(deps, resellerId, username, pending[0]!.day);
    if (loaded.account.usageThrough !== null && loaded.account.usageThrough >= day) return 'already';
    const state = loaded.state;
    let outcome: FeedOutcome = 'applied';
    let appliedChanges = loaded.account.appliedChanges;
    let fed = false;
    const lines: LedgerLine[] = [];
    const notices: Notice[] = [];

    if (state.status === 'closed') {
      outcome = 'closed';
    } else {
      for (const p of pending) {
        if (p.day < formatDay(state.start)) {
          if (p.day === day) outcome = 'before-start';
          continue;
        }
        fed = true;
        const current = formatDay(state.day);
        let date = p.day;
        if (p.day < current || (p.day === current && state.phase > PHASE.usage)) {
          if (state.phase > PHASE.usage) {
            notices.push({ date: current, message: `usage of ${p.day} not billed: the account has settled ${current}` });
            continue;
          }
          date = current;
          outcome = 'carried';
          notices.push({ date: current, message: `usage of ${p.day} arrived after the account moved to ${current}: billed on ${current}` });
        }
        for (const event of usageEvents(date, p.usage, state.prices)) {
          const r = applyAccountEvent(state, loaded.plan, appliedChanges, event, { strict: false });
          appliedChanges = r.appliedChanges;
          lines.push(...r.lines);
          notices.push(...r.notices);
        }
      }
    }
    // Nothing to bill (closed, or every day before the account opened): leave the account alone.
    if ((outcome === 'closed' || outcome === 'before-start') && !fed && !lines.length && !notices.length) return outcome;
    try {
      await save(deps, loaded, { state, appliedChanges, lines, notices }, { usageThrough: day });
      return outcome;
    } catch (e) {
      if (!(e instanceof StaleAccountError) || attempt >= ATTEMPTS) throw e;
    }
  }
}
